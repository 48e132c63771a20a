import type { Figure } from './result';

/** A figure's value with its unit, as the table prints it. */
export function formatValue(value: number, unit: Figure['unit']): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
    case '/s':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'MB':
      return `${Math.round(value)} MB`;
    case 's':
      // Node's own start-up, the first start's baseline, is a few hundredths of a second.
      return `${value < 1 ? value.toFixed(3) : value.toFixed(1)} s`;
  }
}

/** A figure's ratio to its baseline: a percentage for rates, a multiple for times. */
export function formatRatio(f: Figure): string {
  if (f.ratio === undefined || !Number.isFinite(f.ratio)) return '';
  return f.unit === '/s' ? `${Math.round(f.ratio * 100)}% of baseline` : `${f.ratio.toFixed(1)}× baseline`;
}

/** The figures as a Markdown table (what bench/README.md reproduces). */
export function table(figures: readonly Figure[], sizeName: string): string {
  const rows = figures.map((f) => [
    f.benchmark,
    f.engine,
    f.measure,
    formatValue(f.value, f.unit),
    f.baseline ? `${formatValue(f.baseline.value, f.unit)} (${f.baseline.label})` : '—',
    formatRatio(f),
    f.target ?? '—',
    f.met === undefined ? '—' : f.met ? 'met' : sizeName === 'full' ? '**missed**' : 'missed (not full size)',
  ]);
  const header = ['benchmark', 'engine', 'measure', 'median', 'baseline (same run)', 'ratio', 'target', 'met'];
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
