import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { onEarlyStop } from './cleanup';
import { benchEnv } from './config';
import { nowMs } from './stats';

const MAIN_JS = path.resolve(__dirname, '../src/main.js');
const MB = 1024;

/** The log line `node dist/src/main.js` writes once it serves (src/main.ts, the 'running' phase). */
const RUNNING_MSG = 'Pickup is running';

/** VmRSS and VmHWM (peak RSS) of a process, in MB, from /proc/<pid>/status. */
export function readRss(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / MB, peak: kb('VmHWM') / MB };
}

/**
 * The environment of a spawned Pickup: the bench's, talking to the fake Slack at `slackApiUrl`, logging at info (the
 * "Pickup is running" line is how the bench knows it serves), and with today a holiday, so no catch-up pick lands
 * in the seeded history mid-measurement. `database` says where its data is: DATABASE_URL, or DATA_DIR for PGlite.
 */
export function spawnEnv(
  slackApiUrl: string,
  database: { url: string | undefined; dataDir: string },
): Record<string, string> {
  const vars = benchEnv({
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    LOG_LEVEL: 'info',
    HOLIDAYS: new Date().toISOString().slice(0, 10),
    DATABASE_URL: database.url,
    DATA_DIR: database.dataDir,
  });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/** A spawned Pickup that has logged that it serves. */
export interface SpawnedPickup {
  child: ChildProcess;
  pid: number;
  port: number;
  /** From just before spawn() to the moment its "Pickup is running" line was read. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts `node dist/src/main.js` (what `npm start` runs) and resolves once it logs that it is serving. */
export async function spawnPickup(env: Record<string, string>, cwd: string): Promise<SpawnedPickup> {
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
  const ready = await new Promise<{ port: number; ms: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Pickup did not start within 120 s: ${stderr}`)), 120_000);
    const stdout = child.stdout;
    if (!stdout) return reject(new Error('no stdout pipe to read the port from'));
    const lines = readline.createInterface({ input: stdout });
    // Every line is read even after start-up: pino writes synchronously, so an unread pipe would stall the server.
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
        if (entry.msg === RUNNING_MSG && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve({ port: entry.port, ms: nowMs() - started });
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
  // main.ts installs its SIGTERM handler just after this line is logged; until then SIGTERM kills outright. An answered
  // request proves the event loop has turned since, so the handler is in place before anyone stops the process.
  await getHealth(ready.port);
  return {
    child,
    pid,
    port: ready.port,
    readyMs: ready.ms,
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

/** Milliseconds from spawning `node -e ''` to its exit: what starting Node itself costs on this machine. */
export async function bareNodeStartMs(): Promise<number> {
  const started = nowMs();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const forget = onEarlyStop(async () => {
    child.kill('SIGKILL');
  });
  const code = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
  });
  const ms = nowMs() - started;
  forget();
  if (code !== 0) throw new Error(`node -e '' exited with ${code}`);
  return ms;
}
