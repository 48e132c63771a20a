import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ON_POSTGRES } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fake-socket-mode';
import type { SlackMode } from '../helpers/slack-driver';
import { sendSlashCommand } from '../helpers/slack-requests';
import { TEST_APP_TOKEN } from '../helpers/test-app';
import { type BotDatabases, prepareBotDatabases } from './support/bot-database';
import { type LogLine, type SpawnedBot, spawnBot, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { type HoldingProxy, startHoldingProxy } from './support/holding-proxy';
import { postWebhook } from './support/http-client';

// `timeout 30 npm start` once left a bot running ten minutes later: it was waiting for a Socket Mode connection
// that never came, and the SIGTERM was queued behind start-up. Here real `node dist/src/main.js` processes get
// SIGTERM in each phase of start-up, in both modes, and must exit 0 promptly with a clean shutdown logged.
// On PostgreSQL the bots share TEST_DATABASE_URL's server; otherwise each gets its own embedded database.

/** How soon after the signal a bot must be gone (the shutdown itself takes well under a second). */
const PROMPT_MS = 5_000;
/** Creating an embedded database cannot be cut short: a few seconds on a quiet machine, far more on a busy one. */
const CREATE_MS = 120_000;
/** Kysely's migration lock (a session advisory lock): holding it keeps a starting bot in its migrating phase. */
const MIGRATION_LOCK_ID = '3853314791062309107';

const MODES: SlackMode[] = ['http', 'socket'];

const logged = (msg: string) => (line: LogLine) => line.msg === msg;

/** Checks that a bot sent SIGTERM at `sentAt` exits 0 within `withinMs`, having logged a clean shutdown. */
async function expectCleanExit(bot: SpawnedBot, sentAt: number, withinMs = PROMPT_MS): Promise<void> {
  const timer = setTimeout(() => bot.signal('SIGKILL'), withinMs + 10_000);
  const exit = await bot.exited;
  clearTimeout(timer);
  const tookMs = Date.now() - sentAt;
  expect({ exit, tail: exit.code === 0 ? '' : bot.tail() }).toEqual({ exit: { code: 0, signal: null }, tail: '' });
  expect(bot.logs.some(logged('stopped'))).toBe(true);
  expect(bot.logs.filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
  expect(tookMs).toBeLessThan(withinMs);
}

/** Sends SIGTERM now and returns when it was sent. */
function terminate(bot: SpawnedBot): number {
  bot.signal('SIGTERM');
  return Date.now();
}

describe('a signal stops Pickup cleanly in every phase of start-up (real processes)', () => {
  let fake: FakeSlack;
  let proxy: HoldingProxy;
  let socketServer: FakeSocketMode;
  let databases: BotDatabases;

  beforeAll(async () => {
    await ensureBuilt();
    fake = await startFakeSlack();
    proxy = await startHoldingProxy(fake.baseUrl);
    socketServer = await startFakeSocketMode(fake);
    databases = await prepareBotDatabases(fake.url);
  }, 300_000);

  afterEach(() => fake.reset());

  afterAll(async () => {
    await stopAllBots();
    await socketServer?.close();
    await proxy?.close();
    await fake?.close();
    await databases?.close();
  });

  const modeEnv = (mode: SlackMode, apiUrl = fake.url): Record<string, string> => ({
    SLACK_API_URL: apiUrl,
    ...(mode === 'socket' ? { SLACK_APP_TOKEN: TEST_APP_TOKEN } : {}),
  });

  describe.each(MODES)('%s mode', (mode) => {
    it('while migrating: lets the migration finish, starts nothing else, and exits 0', async () => {
      // PostgreSQL: another "instance" holds the migration lock. Embedded: a new database takes seconds to create.
      const database = await databases.next({ empty: true });
      let lockHolder: pg.Client | undefined;
      if (ON_POSTGRES) {
        lockHolder = new pg.Client({ connectionString: database.env.DATABASE_URL });
        await lockHolder.connect();
        await lockHolder.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_ID})`);
      }
      try {
        const bot = spawnBot({ label: `migrating-${mode}`, env: { ...database.env, ...modeEnv(mode) } });
        await bot.waitForLog((l) => l.phase === 'migrating', 30_000);
        if (!ON_POSTGRES)
          await bot.waitForLog(logged('creating the embedded database (first start takes a few seconds)'));
        const sent = terminate(bot);
        const requested = await bot.waitForLog(logged('shutdown requested'));
        expect(requested).toMatchObject({ signal: 'SIGTERM', phase: 'migrating' });
        // A second signal (an impatient operator) must not turn the clean shutdown into an abrupt one.
        bot.signal('SIGTERM');
        await bot.waitForLog(logged('already shutting down'));
        await lockHolder?.end();
        lockHolder = undefined;
        // The embedded database cannot be cut short while it is created; PostgreSQL's migration finishes at once.
        await expectCleanExit(bot, sent, ON_POSTGRES ? PROMPT_MS : CREATE_MS);
        expect(bot.logs.some(logged('HTTP server listening; connecting to Slack'))).toBe(false);
        if (!ON_POSTGRES) expect(fs.existsSync(path.join(database.env.DATA_DIR ?? '', 'pickup.lock'))).toBe(false);
      } finally {
        await lockHolder?.end();
        await database.close();
      }
    }, 240_000);

    it('while connecting to Slack: HTTP already serves webhooks, and the signal ends the wait', async () => {
      const database = await databases.next();
      try {
        // Slack is unreachable: auth.test hangs (HTTP mode), or apps.connections.open keeps failing (Socket Mode).
        if (mode === 'http') void proxy.holdNext('auth.test');
        else fake.failNext('apps.connections.open', 10_000, { status: 500 });
        const apiUrl = mode === 'http' ? proxy.url : fake.url;
        const bot = spawnBot({ label: `connecting-${mode}`, env: { ...database.env, ...modeEnv(mode, apiUrl) } });
        const listening = await bot.waitForLog(logged('HTTP server listening; connecting to Slack'), 30_000);
        if (mode === 'socket') await bot.waitForLog(logged('could not connect to Slack; retrying'));
        const baseUrl = `http://127.0.0.1:${String(listening.port)}`;

        const health = await fetch(`${baseUrl}/healthz`);
        expect(await health.json()).toMatchObject({ status: 'ok', db: 'ok', slack: 'connecting' });
        const webhook = await postWebhook(baseUrl, '/webhooks/complaints', {
          externalId: `signals-${mode}`,
          subject: 'Arrived while Slack was unreachable',
          priority: 'urgent',
          customer: { name: 'Grace Hopper' },
        });
        expect(webhook.status).toBe(201);
        if (mode === 'http') {
          const target = { url: `${baseUrl}/slack/events`, signingSecret: 'test-signing-secret-0123456789' };
          const early = await sendSlashCommand(target, {
            command: '/pickup',
            text: 'help',
            userId: 'U1',
            channelId: 'C1',
          });
          expect(early.status).toBe(503);
        }

        await expectCleanExit(bot, terminate(bot));
        expect(bot.logs.find(logged('shutdown requested'))).toMatchObject({ phase: 'connecting' });
        expect(bot.logs.some(logged('Pickup is running'))).toBe(false);
      } finally {
        await database.close();
      }
    }, 120_000);

    it('while running: shuts down and exits 0', async () => {
      const database = await databases.next();
      try {
        const bot = await startBot({ label: `running-${mode}`, env: { ...database.env, ...modeEnv(mode) } });
        await expectCleanExit(bot, terminate(bot));
        expect(bot.logs.find(logged('shutdown requested'))).toMatchObject({ phase: 'running' });
      } finally {
        await database.close();
      }
    }, 120_000);
  });
});
