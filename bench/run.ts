import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchClaim } from './claim.bench';
import { runCleanups } from './cleanup';
import type { BenchContext } from './context';
import { benchCsv } from './csv.bench';
import { type Engine, openPgliteEngine, openPostgresEngine, postgresServerUrl } from './engines';
import { benchIngest, INGEST_CONCURRENCY } from './ingest.bench';
import { startLoadProcess } from './load';
import { benchMemory } from './memory.bench';
import { type BenchOptions, type EngineName, parseOptions } from './options';
import { benchDigest, benchPick } from './queries.bench';
import type { BenchOutput, Figure, Plan } from './result';
import { type SeedSummary, seedHistory } from './seed';
import { startSlackStub } from './slack';
import { benchStart } from './start.bench';
import { nowMs } from './stats';
import { formatValue, table } from './table';

type Bench = (engine: Engine, options: BenchOptions, ctx: BenchContext) => Promise<BenchOutput>;

/**
 * The benchmarks in the order they run: the read-only queries first, while the seeded pool is untouched; memory last,
 * because on PGlite it hands the seeded database over to the processes it spawns.
 */
const BENCHES: { name: string; run: Bench }[] = [
  { name: 'pick', run: (e, o) => benchPick(e, o.size, o.runs) },
  { name: 'digest', run: (e, o) => benchDigest(e, o.size, o.runs) },
  { name: 'claim', run: (e, o, s) => benchClaim(e, o.size, o.runs, s) },
  { name: 'ingest', run: (e, o, s) => benchIngest(e, o.size, o.runs, s) },
  { name: 'csv', run: (e, o) => benchCsv(e, o.size, o.runs) },
  { name: 'start', run: (e, o, s) => benchStart(e, o.runs, s) },
  { name: 'memory', run: (e, o, s) => benchMemory(e, o.size, o.runs, s) },
];

const started = nowMs();
const elapsed = () => `${((nowMs() - started) / 1000).toFixed(0).padStart(4)} s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

async function openEngine(name: EngineName): Promise<Engine> {
  return name === 'postgres'
    ? openPostgresEngine(postgresServerUrl(process.env), INGEST_CONCURRENCY)
    : openPgliteEngine();
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), path.resolve(__dirname, '../../bench/results.json'));
  const wanted = BENCHES.filter((b) => options.only.length === 0 || options.only.includes(b.name));
  const loadBefore = os.loadavg();
  say(
    `Pickup benchmarks: size ${options.size.name}, ${options.runs} run(s), engines ${options.engines.join(', ')}` +
      `${options.analyze ? '' : ', seeded without ANALYZE'}; ` +
      `${os.cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const figures: Figure[] = [];
  const plans: Plan[] = [];
  const details: Record<string, unknown> = {};
  const engines: { name: EngineName; version: string; seed?: SeedSummary }[] = [];
  const errors: string[] = [];
  const ctx: BenchContext = { slack: await startSlackStub(), load: startLoadProcess() };
  try {
    for (const name of options.engines) {
      say(`${name}: opening a fresh database`);
      const engine = await openEngine(name);
      try {
        say(`${name}: seeding ${options.size.complaints.toLocaleString('en-US')} complaints`);
        const seed = await seedHistory(engine, options.size, new Date(), options.analyze);
        engines.push({ name, version: engine.version, seed });
        say(
          `${name}: seeded ${seed.complaints} complaints, ${seed.eligible} eligible, ${seed.picks} picks, ` +
            `${seed.claims} claims, ${seed.attempts} attempts, ${seed.evidence} evidence rows ` +
            `(${Object.values(seed.seconds)
              .reduce((a, b) => a + b, 0)
              .toFixed(1)} s)`,
        );
        for (const bench of wanted) {
          say(`${name}: ${bench.name}`);
          try {
            const out = await bench.run(engine, options, ctx);
            figures.push(...out.figures);
            plans.push(...(out.plans ?? []));
            if (out.details) details[`${name}/${bench.name}`] = out.details;
            for (const f of out.figures) {
              say(
                `  ${f.benchmark}, ${f.measure}: ${formatValue(f.value, f.unit)}` +
                  (f.baseline ? ` vs ${formatValue(f.baseline.value, f.unit)} ${f.baseline.label}` : '') +
                  (f.met === undefined ? '' : f.met ? ' (target met)' : ' (target missed)'),
              );
            }
          } catch (err) {
            const message = `${name}/${bench.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
            errors.push(message);
            say(`ERROR ${message}`);
          }
        }
      } finally {
        await engine.close();
      }
    }
  } finally {
    await ctx.load.close();
    await ctx.slack.close();
  }

  console.log(`\n${table(figures, options.size.name)}\n`);
  const missed = figures.filter((f) => f.met === false);
  if (missed.length > 0) {
    console.log(
      `Targets missed${options.size.name === 'full' ? '' : ' (targets are for the full size)'}: ` +
        missed.map((f) => `${f.benchmark} ${f.measure} on ${f.engine}`).join('; '),
    );
  }
  const result = {
    startedAt: new Date(Date.now() - (nowMs() - started)).toISOString(),
    durationSeconds: Math.round((nowMs() - started) / 1000),
    size: options.size,
    runs: options.runs,
    analyzed: options.analyze,
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / 1024 / 1024),
      loadBefore,
      loadAfter: os.loadavg(),
    },
    engines,
    figures,
    plans,
    details,
    errors,
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${path.relative(process.cwd(), options.out)}${errors.length > 0 ? `; ${errors.length} error(s)` : ''}`);
  return errors.length > 0 ? 1 : 0;
}

process.once('uncaughtException', (err) => {
  console.error(err);
  void runCleanups().finally(() => process.exit(1));
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void runCleanups().finally(() => process.exit(130));
  });
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    async (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      await runCleanups();
      process.exitCode = 1;
    },
  );
}
