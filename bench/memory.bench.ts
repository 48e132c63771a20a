import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { onEarlyStop } from './cleanup';
import { benchEnv } from './config';
import { type BenchContext, expectStatus } from './context';
import type { Engine } from './engines';
import { INGEST_CONCURRENCY } from './ingest.bench';
import type { Size } from './options';
import { type BenchOutput, figure } from './result';
import { median, nowMs, sleep } from './stats';

const MAIN_JS = path.resolve(__dirname, '../src/main.js');
const MB = 1024;

/** VmRSS and VmHWM (peak RSS) of a process, in MB, from /proc/<pid>/status. */
export function readRss(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / MB, peak: kb('VmHWM') / MB };
}

interface Spawned {
  child: ChildProcess;
  pid: number;
  port: number;
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts `node dist/src/main.js` (what `npm start` runs) and resolves once it logs that it is serving. */
async function spawnPickup(env: Record<string, string>, cwd: string): Promise<Spawned> {
  const started = nowMs();
  const child = spawn(process.execPath, [MAIN_JS], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn node dist/src/main.js');
  const forget = onEarlyStop(async () => {
    child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<string | number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Pickup did not start within 120 s: ${stderr}`)), 120_000);
    const stdout = child.stdout;
    if (!stdout) return reject(new Error('no stdout pipe to read the port from'));
    const lines = readline.createInterface({ input: stdout });
    // Every line is read even after start-up: pino writes synchronously, so an unread pipe would stall the server.
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
        if (entry.msg === 'Pickup is running' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // Not a log line; ignore it.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Pickup exited with ${code} before serving: ${stderr}`));
    });
  });
  const readyMs = nowMs() - started;
  // main.ts installs its SIGTERM handler just after this line is logged; until then SIGTERM kills outright. An answered
  // request proves the event loop has turned since, so the handler is in place before anyone stops the process.
  await getHealth(port);
  return {
    child,
    pid,
    port,
    readyMs,
    async stop() {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), 30_000);
      });
      const code = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      forget();
      if (code === 'timeout') {
        child.kill('SIGKILL');
        throw new Error('Pickup did not stop within 30 s of SIGTERM');
      }
      if (code !== 0) throw new Error(`Pickup exited with ${code} on SIGTERM: ${stderr}`);
    },
  };
}

/** GET /healthz, expecting 200. */
function getHealth(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`/healthz answered ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

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
 * idle, then the largest sample under a webhook ingest load. On PGlite the in-process engine is closed first (one
 * process per data directory), so every measured start reopens the seeded database; a first start on an empty
 * directory (which creates the database) is reported beside them, without a target, except at the tiny size.
 */
export async function benchMemory(engine: Engine, size: Size, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bench-cwd-'));
  const forgetCwd = onEarlyStop(async () => fs.rmSync(cwd, { recursive: true, force: true }));
  const today = new Date().toISOString().slice(0, 10);
  const envFor = (dataDir: string) => {
    const vars = benchEnv({
      SLACK_API_URL: ctx.slack.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
      // No catch-up pick on start: it would add a pick to the seeded history mid-measurement.
      HOLIDAYS: today,
      DATABASE_URL: engine.url,
      DATA_DIR: dataDir,
    });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
    return env;
  };

  const idle: number[] = [];
  const load: number[] = [];
  const starts: number[] = [];
  let firstStart: { seconds: number; peakMb: number } | undefined;
  try {
    if (engine.name === 'pglite' && size.name !== 'tiny') {
      const first = await spawnPickup(envFor(path.join(cwd, 'first-start')), cwd);
      firstStart = { seconds: first.readyMs / 1000, peakMb: readRss(first.pid).peak };
      await first.stop();
    }
    let dataDir = path.join(cwd, 'data');
    if (engine.dataDir !== undefined) {
      await engine.release();
      dataDir = engine.dataDir;
    }
    const env = envFor(dataDir);
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
  const figures = [
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
  ];
  if (firstStart) {
    figures.push(
      figure(
        {
          benchmark: 'memory',
          engine: engine.name,
          measure: 'peak RSS, first start (creates the database)',
          unit: 'MB',
          note: `empty data directory; ready in ${firstStart.seconds.toFixed(1)} s; no target`,
        },
        [firstStart.peakMb],
      ),
    );
  }
  return { figures, details: { startSeconds: starts, firstStart } };
}
