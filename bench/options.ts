/** How big a run is: `full` is the size the figures in bench/README.md are reported at. */
export type SizeName = 'tiny' | 'small' | 'full';

/** Every size-dependent number of the suite. */
export interface Size {
  name: SizeName;
  /** Complaints seeded for the pick and the digest. */
  complaints: number;
  /** Complaints left eligible for the daily pick after seeding. */
  eligible: number;
  /** Call attempts seeded (the picks' own attempts included). */
  attempts: number;
  /** Rows in the CSV import. */
  csvRows: number;
  /** Waves of 50 concurrent claim clicks per run (after one warm-up wave). */
  claimWaves: number;
  /** Claim clicks sent one at a time per run (after a warm-up), for the lone-click p50 and p99. */
  loneClicks: number;
  /** Webhook deliveries per ingest run, spread over the 32 workers. */
  ingestRequests: number;
  /** Timed daily picks (and digests) per run; the run reports their median. */
  queryRepeats: number;
  /** Webhook deliveries sent to a spawned process while its memory is sampled. */
  memoryIngestRequests: number;
}

/** The sizes. `full` is the issue's: 1 M complaints, 10 k eligible, 100 k attempts, 100 k CSV rows. */
export const SIZES: Record<SizeName, Size> = {
  tiny: {
    name: 'tiny',
    complaints: 5_000,
    eligible: 50,
    attempts: 500,
    csvRows: 1_000,
    claimWaves: 1,
    loneClicks: 20,
    ingestRequests: 320,
    queryRepeats: 2,
    memoryIngestRequests: 320,
  },
  small: {
    name: 'small',
    complaints: 100_000,
    eligible: 1_000,
    attempts: 10_000,
    csvRows: 10_000,
    claimWaves: 2,
    // As many as at the full size: the lone-click p99 needs them, and small runs are where a change is checked.
    loneClicks: 200,
    ingestRequests: 3_200,
    queryRepeats: 5,
    memoryIngestRequests: 3_200,
  },
  full: {
    name: 'full',
    complaints: 1_000_000,
    eligible: 10_000,
    attempts: 100_000,
    csvRows: 100_000,
    claimWaves: 4,
    // 200, so the p99 is the second-slowest click of the run rather than the slowest.
    loneClicks: 200,
    // 250 per worker: each worker sends from its own loopback address and stays inside the limiter's burst of 300.
    ingestRequests: 8_000,
    queryRepeats: 7,
    memoryIngestRequests: 4_800,
  },
};

/** Which engines to run on. */
export type EngineName = 'postgres' | 'pglite';

/** The parsed command line. */
export interface BenchOptions {
  size: Size;
  runs: number;
  engines: EngineName[];
  /** Benchmarks to run, by name; all when empty. */
  only: string[];
  /** Where results.json goes. */
  out: string;
  /**
   * Seed without ANALYZE or VACUUM: planner statistics as an embedded database has them in production, where PGlite
   * runs no autovacuum and Pickup itself never analyzes.
   */
  analyze: boolean;
}

/** The benchmark names, in the order they run. */
export const BENCHMARKS = ['pick', 'digest', 'claim', 'ingest', 'csv', 'start', 'memory'] as const;

const USAGE = `usage: npm run bench -- [--size tiny|small|full] [--runs N] [--engine postgres|pglite|both] [--only ${BENCHMARKS.join(',')}] [--out FILE] [--no-analyze]`;

/** Parses `--size`, `--runs`, `--engine`, `--only` and `--out`; throws the usage on anything else. */
export function parseOptions(argv: readonly string[], defaultOut: string): BenchOptions {
  let size: Size = SIZES.full;
  let runs = 3;
  let engines: EngineName[] = ['postgres', 'pglite'];
  let only: string[] = [];
  let out = defaultOut;
  let analyze = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--size': {
        const v = value();
        if (v !== 'tiny' && v !== 'small' && v !== 'full') throw new Error(`unknown size "${v}"\n${USAGE}`);
        size = SIZES[v];
        break;
      }
      case '--runs': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1 || v > 20)
          throw new Error(`--runs must be an integer from 1 to 20\n${USAGE}`);
        runs = v;
        break;
      }
      case '--engine': {
        const v = value();
        if (v === 'both') engines = ['postgres', 'pglite'];
        else if (v === 'postgres' || v === 'pglite') engines = [v];
        else throw new Error(`unknown engine "${v}"\n${USAGE}`);
        break;
      }
      case '--only': {
        only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = only.filter((o) => !(BENCHMARKS as readonly string[]).includes(o));
        if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
        break;
      }
      case '--out':
        out = value();
        break;
      case '--no-analyze':
        analyze = false;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
  }
  return { size, runs, engines, only, out, analyze };
}
