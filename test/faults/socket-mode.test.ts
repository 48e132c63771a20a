import { OUTSIDER } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fake-socket-mode';
import { type ResponseUrlServer, slashCommandPayload, startResponseUrlServer } from '../helpers/slack-requests';
import { TEST_APP_TOKEN } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { type BotDatabase, type BotDatabases, prepareBotDatabases } from './support/bot-database';
import { errorLines, type SpawnedBot, spawnBot, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';

// The bug: one failed apps.connections.open during a routine refresh left the bot deaf for good, while /healthz
// still said 200. Real `node dist/src/main.js` processes in Socket Mode, against the fake Socket Mode server: a
// failed reconnect is retried, and a refused token ends the process with one clear error and a non-zero code.

/** A refused token: the process must be gone this soon, after its clean shutdown. */
const EXIT_MS = 10_000;

/** Checks the bot exited 1 with exactly one error line (also on stderr) naming the token and Slack's answer. */
async function expectFatalExit(bot: SpawnedBot, pattern: RegExp): Promise<void> {
  const timer = setTimeout(() => bot.signal('SIGKILL'), EXIT_MS);
  const exit = await bot.exited;
  clearTimeout(timer);
  expect({ exit, tail: exit.code === 1 ? '' : bot.tail() }).toEqual({ exit: { code: 1, signal: null }, tail: '' });
  const errors = errorLines(bot);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.msg).toMatch(pattern);
  expect(bot.stderr.join('\n')).toMatch(pattern);
}

describe('Socket Mode in a real process: failed reconnects and refused tokens', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let responses: ResponseUrlServer;
  let databases: BotDatabases;
  let database: BotDatabase | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    fake = await startFakeSlack();
    socket = await startFakeSocketMode(fake);
    responses = await startResponseUrlServer();
    databases = await prepareBotDatabases(fake.url);
  }, 300_000);

  afterEach(async () => {
    await stopAllBots();
    await database?.close();
    database = undefined;
    fake.reset();
  });

  afterAll(async () => {
    await socket?.close();
    await responses?.close();
    await fake?.close();
    await databases?.close();
  });

  it('reconnects after apps.connections.open fails once, then exits 1 when a reconnect meets invalid_auth', async () => {
    database = await databases.next();
    const bot = await startBot({
      label: 'socket-bot',
      env: { ...database.env, SLACK_API_URL: fake.url, SLACK_APP_TOKEN: TEST_APP_TOKEN },
    });
    const first = socket.connections.length;
    const opens = fake.callsTo('apps.connections.open').length;

    fake.failNext('apps.connections.open', 1, { status: 500 });
    socket.disconnect('refresh_requested');
    await socket.waitForConnection(first + 1, 30_000);
    const reopens = fake.callsTo('apps.connections.open').slice(opens);
    expect(reopens.map((c) => c.failure)).toEqual([{ status: 500 }, undefined]);
    await bot.waitForLog((l) => l.msg === 'reconnected to Slack (Socket Mode)');
    const health = await waitFor(
      async () => {
        const res = await fetch(`${bot.baseUrl}/healthz`);
        const body = (await res.json()) as { slack?: string };
        return res.status === 200 && body.slack === 'connected' ? body : undefined;
      },
      { timeoutMs: 10_000, seen: () => bot.tail() },
    );
    expect(health).toMatchObject({ status: 'ok', db: 'ok', slack: 'connected' });
    const ack = await socket.send(
      'slash_commands',
      slashCommandPayload({ command: '/pickup', text: 'help', userId: OUTSIDER, channelId: 'C1' }, responses.url),
    );
    expect(ack.payload).toEqual({});
    expect(JSON.stringify((await responses.waitFor(1))[0]?.body)).toContain('/pickup queue');
    expect(errorLines(bot)).toEqual([]);

    fake.failNext('apps.connections.open', 1, { error: 'invalid_auth' });
    socket.disconnect('refresh_requested');
    await expectFatalExit(bot, /^Slack refused SLACK_APP_TOKEN: it is not valid \(invalid_auth\)\. To fix it, /);
    expect(bot.logs.some((l) => l.msg === 'stopped')).toBe(true);
  }, 120_000);

  it('exits 1 with one clear error when the app token is refused at start-up', async () => {
    database = await databases.next();
    fake.failNext('apps.connections.open', 1, { error: 'token_revoked' });
    const bot = spawnBot({
      label: 'revoked-bot',
      env: { ...database.env, SLACK_API_URL: fake.url, SLACK_APP_TOKEN: TEST_APP_TOKEN },
    });
    await bot.waitForLog((l) => l.msg === 'HTTP server listening; connecting to Slack', 60_000);
    await expectFatalExit(bot, /^Slack refused SLACK_APP_TOKEN: it has been revoked \(token_revoked\)/);
    expect(bot.logs.some((l) => l.msg === 'Pickup is running')).toBe(false);
  }, 120_000);
});
