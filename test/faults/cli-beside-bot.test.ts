import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_INGEST_TOKEN } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { botEnv, REPO_ROOT, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';

// The operator's case: the bot runs on the embedded database as its own process, and an erasure request comes in.
// The built CLI, another process, reaches the database through the socket the bot serves in DATA_DIR; after the
// bot's SIGTERM the socket is gone and the CLI opens the directory itself.

const CLI_JS = path.join(REPO_ROOT, 'dist/src/cli.js');

/** Runs `node dist/src/cli.js ARGS` as an operator would, with the bot's environment. */
function runCliProcess(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI_JS, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the built CLI beside the built bot on the embedded database (real processes)', () => {
  let dir: string;
  let fake: FakeSlack;

  beforeAll(async () => {
    await ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-clibot-'));
    fake = await startFakeSlack();
  }, 240_000);
  afterAll(async () => {
    await stopAllBots();
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('erases a customer while the bot runs, and the bot removes its socket when it stops', async () => {
    const dataDir = path.join(dir, 'data');
    const socketPath = path.join(dataDir, 'socket', '.s.PGSQL.5432');
    const overrides = { DATA_DIR: dataDir, DATABASE_URL: undefined, SLACK_API_URL: fake.url };
    const bot = await startBot({ label: 'bot', env: overrides, startTimeoutMs: 90_000 });
    await bot.waitForLog((l) => l.msg === 'serving the embedded database to local CLI commands');
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);

    const res = await fetch(`${bot.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: JSON.stringify({
        externalId: 'ERASE-1',
        subject: 'Wrong invoice',
        priority: 'urgent',
        customer: { name: 'Ada', email: 'ada.erase@example.com' },
      }),
    });
    expect(res.status).toBe(201);

    const env = { ...botEnv(overrides), LOG_LEVEL: 'warn' };
    const erased = await runCliProcess(['forget', '--email', 'ada.erase@example.com'], env, dir);
    expect(erased).toMatchObject({ code: 0, stderr: '' });
    expect(erased.stdout).toMatch(/Erased 1 complaint/);
    const again = await runCliProcess(['forget', '--email', 'ada.erase@example.com'], env, dir);
    // A miss exits 3, so a script cannot take it for an erasure.
    expect(again).toMatchObject({ code: 3 });
    expect(again.stdout).toMatch(/Nothing erased/);
    expect(bot.isAlive()).toBe(true);

    await bot.stop();
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pickup.lock'))).toBe(false);
    // No bot: the CLI opens the directory itself, and sees what it erased through the bot.
    const alone = await runCliProcess(['forget', '--email', 'ada.erase@example.com'], env, dir);
    expect(alone).toMatchObject({ code: 3, stderr: '' });
    expect(alone.stdout).toMatch(/Nothing erased/);
  }, 240_000);
});
