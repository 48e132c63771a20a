import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onEarlyStop } from './cleanup';
import { type BenchContext, expectStatus } from './context';
import type { Engine } from './engines';
import { INGEST_CONCURRENCY } from './ingest.bench';
import type { Size } from './options';
import { readRss, spawnEnv, spawnPickup } from './pickup-process';
import { type BenchOutput, figure } from './result';
import { median, sleep } from './stats';

/** Samples RSS every 50 ms until stopped; resolves with the largest sample. */
function sampleRss(pid: number): { stop(): number } {
  let max = readRss(pid).rss;
  const timer = setInterval(() => {
    max = Math.max(max, readRss(pid).rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, readRss(pid).rss);
    },
  };
}

/** RSS after start-up has settled: the median of ten samples over a second, two seconds after serving. */
async function idleRss(pid: number): Promise<number> {
  await sleep(2_000);
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    samples.push(readRss(pid).rss);
    await sleep(100);
  }
  return median(samples);
}

/**
 * Memory: spawns `node dist/src/main.js` as production runs it, on the seeded database, and reads VmRSS from /proc:
 * idle, then the largest sample under a webhook ingest load. On PGlite the engine is released first (whichever side
 * is open: one process per data directory), so every measured start reopens the seeded database. A first start on an empty
 * directory, which creates the database, is the start benchmark's (bench/start.bench.ts).
 */
export async function benchMemory(engine: Engine, size: Size, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bench-cwd-'));
  const forgetCwd = onEarlyStop(async () => fs.rmSync(cwd, { recursive: true, force: true }));
  const idle: number[] = [];
  const load: number[] = [];
  const starts: number[] = [];
  try {
    let dataDir = path.join(cwd, 'data');
    if (engine.dataDir !== undefined) {
      await engine.release();
      dataDir = engine.dataDir;
    }
    const env = spawnEnv(ctx.slack.apiUrl, { url: engine.url, dataDir });
    for (let run = 0; run < runs; run++) {
      const p = await spawnPickup(env, cwd);
      try {
        starts.push(p.readyMs / 1000);
        idle.push(await idleRss(p.pid));
        const sampler = sampleRss(p.pid);
        const tag = `mem-${engine.name}-${Date.now().toString(36)}-${run}`;
        const r = await ctx.load.ingest(p.port, size.memoryIngestRequests, INGEST_CONCURRENCY, tag);
        expectStatus(r.timings, 201, 'webhook deliveries');
        load.push(sampler.stop());
      } finally {
        await p.stop();
      }
    }
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
    forgetCwd();
  }
  const limit = engine.name === 'postgres' ? 250 : 400;
  const target = engine.name === 'postgres' ? '≤ 250 MB' : '≤ 400 MB after the first start';
  const seeded = `on the seeded database (${size.complaints.toLocaleString('en-US')} complaints)`;
  return {
    figures: [
      figure(
        { benchmark: 'memory', engine: engine.name, measure: 'RSS idle', unit: 'MB', target, note: seeded },
        idle,
        undefined,
        (v) => v <= limit,
      ),
      figure(
        {
          benchmark: 'memory',
          engine: engine.name,
          measure: 'RSS under ingest',
          unit: 'MB',
          target,
          note: `${size.memoryIngestRequests.toLocaleString('en-US')} deliveries at ${INGEST_CONCURRENCY} concurrent, ${seeded}`,
        },
        load,
        undefined,
        (v) => v <= limit,
      ),
    ],
    details: { startSeconds: starts },
  };
}
