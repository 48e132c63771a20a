import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onEarlyStop } from './cleanup';
import type { BenchContext } from './context';
import type { Engine } from './engines';
import { bareNodeStartMs, readRss, spawnEnv, spawnPickup } from './pickup-process';
import { type BenchOutput, figure } from './result';
import { median } from './stats';

/** `node -e ''` starts per run; the run's baseline is their median. */
const NODE_STARTS = 5;

/** The target for a first start on an empty embedded database, on this machine. */
const FIRST_START_LIMIT_S = 10;

/**
 * First start on an empty embedded database: `node dist/src/main.js` with a fresh, empty DATA_DIR and no DATABASE_URL,
 * as a new install's first `npm start`, timed from spawn to its "Pickup is running" line (PGlite creates the database,
 * Pickup migrates and analyzes it, starts its HTTP server and reaches the fake Slack), against `node -e ''` spawned in
 * the same run. Each run starts on its own new directory. The start's peak RSS is reported beside it, without a target.
 *
 * PGlite only: on PostgreSQL the server and its database exist before Pickup starts, so there is no database to
 * create, and the issue sets no target for a start there; the PostgreSQL memory benchmark already times starts.
 */
export async function benchStart(engine: Engine, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  if (engine.name !== 'pglite') return { figures: [] };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bench-start-'));
  const forgetCwd = onEarlyStop(async () => fs.rmSync(cwd, { recursive: true, force: true }));
  const ready: number[] = [];
  const peak: number[] = [];
  const node: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const starts: number[] = [];
      for (let i = 0; i < NODE_STARTS; i++) starts.push(await bareNodeStartMs());
      node.push(median(starts) / 1000);

      const dataDir = path.join(cwd, `data-${run}`);
      const p = await spawnPickup(spawnEnv(ctx.slack.apiUrl, { url: undefined, dataDir }), cwd);
      try {
        ready.push(p.readyMs / 1000);
        peak.push(readRss(p.pid).peak);
      } finally {
        await p.stop();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
    forgetCwd();
  }
  const note = 'empty data directory, no DATABASE_URL; one start per run';
  return {
    figures: [
      figure(
        {
          benchmark: 'first start',
          engine: engine.name,
          measure: 'spawn to "Pickup is running"',
          unit: 's',
          target: `≤ ${FIRST_START_LIMIT_S} s`,
          note,
        },
        ready,
        { label: "node -e '' start-up", runs: node },
        (v) => v <= FIRST_START_LIMIT_S,
      ),
      figure({ benchmark: 'first start', engine: engine.name, measure: 'peak RSS', unit: 'MB', note }, peak),
    ],
  };
}
