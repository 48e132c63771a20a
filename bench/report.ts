import fs from 'node:fs';
import type { Figure, Plan } from './result';
import { table } from './table';

/** The parts of results.json the report reads. */
interface Results {
  startedAt: string;
  durationSeconds: number;
  size: { name: string };
  runs: number;
  machine: { node: string; cpus: number; cpuModel: string; loadBefore: number[]; loadAfter: number[] };
  engines: { name: string; version: string }[];
  figures: Figure[];
  plans: Plan[];
  errors: string[];
}

function isResults(value: unknown): value is Results {
  return typeof value === 'object' && value !== null && 'figures' in value && 'plans' in value && 'size' in value;
}

function runsOf(f: Figure): string {
  // As many decimals as the table shows (formatValue): a few-millisecond ack or Node's start-up needs more than one.
  const decimals = (v: number) => (f.unit === 's' && v < 1 ? 3 : f.unit === 'ms' && v < 10 ? 2 : 1);
  const fmt = (v: number) => (f.unit === '/s' || f.unit === 'MB' ? String(Math.round(v)) : v.toFixed(decimals(v)));
  const own = f.runs.map(fmt).join(' / ');
  return f.baseline ? `${own} (baseline ${f.baseline.runs.map(fmt).join(' / ')})` : own;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The plans a reader needs: the pick's eligibility query and every digest query, per engine. */
function plansSection(plans: readonly Plan[]): string {
  const wanted = plans.filter(
    (p) => p.benchmark === 'weekly digest' || (p.benchmark === 'daily pick' && p.sql.includes('c.is_major')),
  );
  return wanted
    .map(
      (p) =>
        `<details><summary>${p.engine}, ${p.benchmark}: <code>${escapeHtml(p.label)}</code> (${p.ms} ms in the traced run)</summary>\n\n` +
        `\`\`\`sql\n${p.sql.trim()}\n\`\`\`\n\n\`\`\`\n${p.plan}\n\`\`\`\n</details>`,
    )
    .join('\n\n');
}

/** Renders results.json as the Markdown bench/README.md quotes: header, the table, the per-run values, the plans. */
export function renderReport(results: Results): string {
  const m = results.machine;
  return [
    `Run of ${results.startedAt}: size ${results.size.name}, ${results.runs} runs, ${results.durationSeconds} s; ` +
      `Node ${m.node}, ${m.cpus} × ${m.cpuModel}; load average ${m.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
      `${m.loadAfter.map((l) => l.toFixed(2)).join(' ')} after. Engines: ${results.engines.map((e) => e.version).join('; ')}.`,
    '',
    table(results.figures, results.size.name),
    '',
    'Per-run values (each already a median or percentile within its run):',
    '',
    ...results.figures.map((f) => `- ${f.benchmark}, ${f.engine}, ${f.measure}: ${runsOf(f)}`),
    ...(results.errors.length > 0 ? ['', `Errors: ${results.errors.join('; ')}`] : []),
    '',
    plansSection(results.plans),
    '',
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2] ?? 'bench/results.json';
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isResults(parsed)) throw new Error(`${file} is not a bench results file`);
  process.stdout.write(renderReport(parsed));
}
