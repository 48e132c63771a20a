import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_SIGNING_SECRET, testEnv } from '../../helpers/config';
import type { SlackTarget } from '../../helpers/slack-requests';
import { MAIN_JS, REPO_ROOT } from './build';

/** One JSON log line a bot wrote (pino), or the raw text when it was not JSON. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** A real `node dist/src/main.js` the test spawned, whether or not it has started serving. */
export interface SpawnedBot {
  readonly label: string;
  readonly pid: number;
  /** Every stdout line, parsed. */
  readonly logs: LogLine[];
  /** Everything written to stderr. */
  readonly stderr: string[];
  /** True until the process exits. */
  isAlive(): boolean;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (already written or still to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends a signal (SIGTERM, SIGINT) and returns at once. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of output, for failure messages. */
  tail(n?: number): string;
}

/** A bot that has logged "Pickup is running". */
export interface BotProcess extends SpawnedBot {
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Where signed Slack requests go, with an optional default response_url. */
  slackTarget(responseUrl?: string): SlackTarget;
}

/** What {@link startBot} needs: the environment on top of testEnv(), and optional `--require` preloads. */
export interface StartBotOptions {
  label: string;
  env: Record<string, string | undefined>;
  preload?: string[];
  startTimeoutMs?: number;
  /** Another build's main.js (an earlier release); default this checkout's dist/src/main.js. */
  mainJs?: string;
}

const running = new Set<ChildProcess>();

// Whatever happens to the test process, leave no bot behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The environment a bot process gets: testEnv() (valid Slack settings, INGEST_TOKEN, PORT=0) at LOG_LEVEL=info,
 * quiet schedules unless the test sets its own (a pick or digest catch-up at start-up would add posts a test
 * does not expect), and the overrides. Nothing else of the test process's environment leaks in.
 */
export function botEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...testEnv({
      LOG_LEVEL: 'info',
      // February 29th at midnight: never "earlier today" or "earlier this week" while a test runs (bar leap days).
      PICK_SCHEDULE: '0 0 29 2 *',
      DIGEST_SCHEDULE: '0 0 29 2 *',
      ...overrides,
    }),
  };
}

let cwd: string | undefined;
/** A working directory without a `.env` (main.ts loads one from its working directory); stopAllBots removes it. */
function botCwd(): string {
  cwd ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-faults-cwd-'));
  return cwd;
}

/** Spawns `node dist/src/main.js` (or `mainJs`) and returns at once: for tests of start-up itself. */
export function spawnBot(options: Omit<StartBotOptions, 'startTimeoutMs'>): SpawnedBot {
  const args = [...(options.preload ?? []).flatMap((p) => ['--require', p]), options.mainJs ?? MAIN_JS];
  const child = spawn(process.execPath, args, {
    cwd: botCwd(),
    env: botEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let alive = true;
  void exited.then(() => {
    alive = false;
  });

  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      const parsed: unknown = JSON.parse(text);
      line = typeof parsed === 'object' && parsed !== null ? (parsed as LogLine) : { msg: text };
    } catch {
      line = { msg: text, raw: true };
    }
    logs.push(line);
    for (const listener of [...listeners]) listener(line);
  });
  createInterface({ input: child.stderr }).on('line', (text) => {
    stderr.push(text);
  });

  const tail = (n = 40) =>
    [
      `--- ${options.label} (pid ${child.pid}) stdout, last ${n} lines ---`,
      ...logs.slice(-n).map((l) => JSON.stringify(l)),
      '--- stderr ---',
      ...stderr.slice(-n),
    ].join('\n');

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 10_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const found = logs.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`${options.label}: no matching log line within ${timeoutMs} ms\n${tail()}`));
      }, timeoutMs);
      const listener = (line: LogLine) => {
        if (!match(line)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
    });

  const kill = async () => {
    if (alive) child.kill('SIGKILL');
    await exited;
  };

  const stop = async (graceMs = 8_000) => {
    if (!alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return {
    label: options.label,
    pid: child.pid ?? -1,
    logs,
    stderr,
    exited,
    isAlive: () => alive,
    waitForLog,
    signal: (signal) => {
      if (alive) child.kill(signal);
    },
    kill,
    stop,
    tail,
  };
}

/** Starts `node dist/src/main.js` and resolves once it logs "Pickup is running" with its port. */
export function startBot(options: StartBotOptions): Promise<BotProcess> {
  const bot = spawnBot(options);
  return new Promise<BotProcess>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      void bot.kill();
      reject(new Error(`${options.label} did not start within ${timeoutMs} ms\n${bot.tail()}`));
    }, timeoutMs);
    void bot.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited during start-up (code ${code}, signal ${signal})\n${bot.tail()}`));
    });
    void bot
      .waitForLog((l) => l.msg === 'Pickup is running' && typeof l.port === 'number', timeoutMs)
      .then(
        (line) => {
          clearTimeout(timer);
          const port = Number(line.port);
          const baseUrl = `http://127.0.0.1:${port}`;
          resolve({
            ...bot,
            port,
            baseUrl,
            slackTarget: (responseUrl) => ({
              url: `${baseUrl}/slack/events`,
              signingSecret: TEST_SIGNING_SECRET,
              ...(responseUrl ? { responseUrl } : {}),
            }),
          });
        },
        () => {
          // The timeout or the exit above already rejected with the details.
        },
      );
  });
}

/** Stops every bot this test file started: SIGTERM, then SIGKILL for any that linger. */
export async function stopAllBots(graceMs = 5_000): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  cwd = undefined;
}

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
export function errorLines(bot: SpawnedBot): LogLine[] {
  return bot.logs.filter((l) => typeof l.level === 'number' && l.level >= 50);
}

/** The repository root, for tests that run other scripts (the CLI). */
export { REPO_ROOT };
