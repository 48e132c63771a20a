import { createLogger } from '../../src/logger';
import type { SlackAuthError } from '../../src/slack/connection';
import { EXEC_1, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  dateValue,
  type ResponseUrlServer,
  selectValue,
  startResponseUrlServer,
  textValue,
} from '../helpers/slack-requests';
import { type DrivenTestApp, startDrivenTestApp, TEST_APP_TOKEN } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

/** Fast reconnects for tests: 50 ms doubling to 200 ms, and a WebSocket without hello dropped after 1 s. */
const FAST = { baseMs: 50, maxMs: 200, helloTimeoutMs: 1_000 };
/** /healthz turns 503 after this long without Slack (production: 30 s). */
const GRACE_MS = 1_500;

type LogLine = { msg?: string; level?: number; [key: string]: unknown };

/** A logger that keeps its lines, and a way to wait for one. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

async function healthz(app: DrivenTestApp): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.baseUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Socket Mode through a fake Socket Mode server', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: DrivenTestApp;
  let responses: ResponseUrlServer;
  const { logger, lines } = capturingLogger();
  const fatal: SlackAuthError[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startDrivenTestApp('socket', db, slack, {
      logger,
      reconnectPolicy: FAST,
      slackDownGraceMs: GRACE_MS,
      onSlackFatal: (err) => fatal.push(err),
    });
    responses = await startResponseUrlServer();
    app.driver.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });
  beforeEach(() => responses.reset());
  afterEach(() => {
    expect(fatal).toEqual([]);
  });

  const socket = () => {
    if (!app.socket) throw new Error('the test app runs in Socket Mode');
    return app.socket;
  };

  it('connects with the app token, serves no Slack endpoint over HTTP, and reports "connected"', async () => {
    const [open] = slack.callsTo('apps.connections.open');
    expect(open?.token).toBe(TEST_APP_TOKEN);
    expect(await healthz(app)).toMatchObject({ status: 200, body: { status: 'ok', db: 'ok', slack: 'connected' } });
    expect((await fetch(`${app.baseUrl}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('acks a slash command by its envelope id, and answers on its response_url', async () => {
    const before = socket().acks.length;
    const ack = await app.driver.slashCommand({ command: '/pickup', text: 'help', userId: OUTSIDER, channelId: 'C1' });
    expect(ack.payload).toBeUndefined();
    expect(socket().acks).toHaveLength(before + 1);
    const posts = await responses.waitFor(1);
    expect(JSON.stringify(posts.at(-1)?.body)).toContain('/pickup queue');
  });

  it('takes a block action (a claim click) and DMs the brief', async () => {
    const complaintId = await insertComplaint(db.db);
    await app.driver.clickButton({ actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 });
    const [answer] = await responses.waitFor(1);
    expect(JSON.stringify(answer?.body)).toContain("It's yours");
    const dms = await slack.waitFor('chat.postMessage', 1);
    expect(dms.some((c) => c.args.channel === EXEC_1)).toBe(true);
  });

  it('sends a view submission’s response_action back in the ack', async () => {
    const ack = await app.driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: 1 }),
      values: {
        outcome: { value: selectValue('voicemail') },
        notes: { value: textValue('Left a message.') },
        follow_up_date: { value: dateValue('2000-01-01') },
        advocate: { value: selectValue(null) },
      },
    });
    expect(ack.payload).toMatchObject({
      response_action: 'errors',
      errors: { follow_up_date: expect.stringContaining('later date') },
    });
  });

  it('publishes the App Home on app_home_opened', async () => {
    const before = slack.callsTo('views.publish').length;
    await app.driver.sendEvent({ type: 'app_home_opened', user: OUTSIDER, channel: 'D1', tab: 'home' });
    const publishes = await slack.waitFor('views.publish', before + 1);
    expect(publishes.at(-1)?.args.user_id).toBe(OUTSIDER);
  });

  it('reconnects when Slack asks for a refresh, and the next command arrives on the new connection', async () => {
    const before = socket().connections.length;
    socket().disconnect('refresh_requested');
    const next = await socket().waitForConnection(before + 1);
    await waitFor(async () => socket().connections[before - 1]?.closedAt, {
      timeoutMs: 5_000,
      what: 'the old connection to close',
    });
    expect(
      lines.some((l) => l.msg?.startsWith('Slack asked Pickup to reconnect') && l.reason === 'refresh_requested'),
    ).toBe(true);
    await waitFor(async () => (await healthz(app)).body.slack === 'connected', {
      timeoutMs: 5_000,
      what: 'healthz to say connected again',
    });
    const ack = await app.driver.slashCommand({ command: '/pickup', text: 'help', userId: OUTSIDER, channelId: 'C1' });
    expect(socket().acks.at(-1)?.envelopeId).toBeDefined();
    expect(ack.payload).toBeUndefined();
    await responses.waitFor(1);
    expect(next.closedAt).toBeUndefined();
  });

  it('reconnects after the connection drops without a close frame', async () => {
    const before = socket().connections.length;
    socket().drop();
    await socket().waitForConnection(before + 1);
    expect(lines.some((l) => l.msg === 'lost the Socket Mode connection to Slack; reconnecting')).toBe(true);
    await app.driver.slashCommand({ command: '/pickup', text: 'help', userId: OUTSIDER, channelId: 'C1' });
    await responses.waitFor(1);
  });

  it('keeps trying when apps.connections.open fails (HTTP 500, then a reset), then reconnects', async () => {
    const before = socket().connections.length;
    const opens = slack.callsTo('apps.connections.open').length;
    slack.failNext('apps.connections.open', 1, { status: 500 });
    slack.failNext('apps.connections.open', 1, { reset: true });
    socket().disconnect('refresh_requested');
    await socket().waitForConnection(before + 1);
    const calls = slack.callsTo('apps.connections.open').slice(opens);
    expect(calls.map((c) => c.failure)).toEqual([{ status: 500 }, { reset: true }, undefined]);
    const retries = lines.filter((l) => l.msg === 'could not connect to Slack; retrying');
    expect(retries.map((l) => l.reason)).toEqual(expect.arrayContaining(['apps.connections.open answered HTTP 500']));
    await app.driver.slashCommand({ command: '/pickup', text: 'help', userId: OUTSIDER, channelId: 'C1' });
    await responses.waitFor(1);
  });

  it('waits as long as Slack’s Retry-After when apps.connections.open is rate limited', async () => {
    const before = socket().connections.length;
    const opens = slack.callsTo('apps.connections.open').length;
    slack.failNext('apps.connections.open', 1, { status: 429, retryAfter: 1 });
    socket().drop();
    await socket().waitForConnection(before + 1);
    const [limited, next] = slack.callsTo('apps.connections.open').slice(opens);
    expect(limited?.failure).toEqual({ status: 429, retryAfter: 1 });
    // The backoff alone would retry within 50 ms.
    expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('drops a connection that never says hello, and connects again', async () => {
    const before = socket().connections.length;
    socket().withholdHello(1);
    socket().drop();
    const next = await socket().waitForConnection(before + 2, 10_000);
    expect(socket().connections[before]?.helloAt).toBeUndefined();
    expect(socket().connections[before]?.closedAt).toBeDefined();
    expect(next.helloAt).toBeDefined();
  });

  it('reports "reconnecting", and answers 503 once Slack has been gone longer than the grace', async () => {
    const before = socket().connections.length;
    // At least 25 × 100 ms of backoff: well past the 1.5 s grace before it reconnects.
    slack.failNext('apps.connections.open', 25, { status: 500 });
    socket().drop();
    const reconnecting = await waitFor(
      async () => {
        const h = await healthz(app);
        return h.body.slack === 'reconnecting' ? h : undefined;
      },
      { timeoutMs: 5_000, what: 'healthz to say reconnecting' },
    );
    expect(reconnecting.status).toBe(200);
    const unhealthy = await waitFor(
      async () => {
        const h = await healthz(app);
        return h.status === 503 ? h : undefined;
      },
      { timeoutMs: 5_000, what: 'healthz to answer 503' },
    );
    expect(unhealthy.body).toMatchObject({ status: 'unavailable', db: 'ok', slack: 'reconnecting' });
    await socket().waitForConnection(before + 1, 15_000);
    await waitFor(async () => (await healthz(app)).status === 200, {
      timeoutMs: 5_000,
      what: 'healthz to recover',
    });
    expect(lines.some((l) => l.msg === 'reconnected to Slack (Socket Mode)')).toBe(true);
  });
});

describe('Socket Mode with a refused token', () => {
  let db: TestDb;
  let slack: FakeSlack;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });

  it('stops reconnecting and reports one clear error when a reconnect meets invalid_auth', async () => {
    const { logger, lines } = capturingLogger();
    const fatal: SlackAuthError[] = [];
    const app = await startDrivenTestApp('socket', db, slack, {
      logger,
      reconnectPolicy: FAST,
      onSlackFatal: (err) => fatal.push(err),
    });
    try {
      const opens = slack.callsTo('apps.connections.open').length;
      slack.failNext('apps.connections.open', 1, { error: 'invalid_auth' });
      app.socket?.disconnect('refresh_requested');
      const [err] = await waitFor(async () => (fatal.length > 0 ? fatal : undefined), {
        timeoutMs: 5_000,
        what: 'the fatal hook to be called',
      });
      expect(err?.message).toMatch(/^Slack refused SLACK_APP_TOKEN: it is not valid \(invalid_auth\)\. To fix it, /);
      expect(app.pickup.slack.state()).toBe('disconnected');
      expect((await healthz(app)).body.slack).toBe('disconnected');
      expect(slack.callsTo('apps.connections.open').slice(opens)).toHaveLength(1);
      // The SDK's own complaint about the failed call is a warning: the one error is the operator's instruction.
      expect(lines.filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it.each([
    ['apps.connections.open', 'token_revoked', /^Slack refused SLACK_APP_TOKEN: it has been revoked/],
    ['auth.test', 'account_inactive', /^Slack refused SLACK_BOT_TOKEN: it belongs to a deactivated user/],
  ])('refuses to start when %s answers %s', async (method, error, message) => {
    slack.failNext(method, 1, { error });
    await expect(
      startDrivenTestApp('socket', db, slack, { reconnectPolicy: FAST, logger: createLogger('silent') }),
    ).rejects.toThrow(message);
  });

  it('retries a failing start-up until Slack answers, then connects', async () => {
    const opens = slack.callsTo('apps.connections.open').length;
    slack.failNext('auth.test', 1, { status: 500 });
    slack.failNext('apps.connections.open', 2, { status: 500 });
    const app = await startDrivenTestApp('socket', db, slack, {
      reconnectPolicy: FAST,
      logger: createLogger('silent'),
    });
    try {
      expect(app.pickup.slack.state()).toBe('connected');
      expect(
        slack
          .callsTo('apps.connections.open')
          .slice(opens)
          .map((c) => c.failure),
      ).toEqual([{ status: 500 }, { status: 500 }, undefined]);
    } finally {
      await app.stop();
    }
  });

  it('stops waiting for Slack when start-up is aborted', async () => {
    slack.failNext('apps.connections.open', 1_000, { status: 500 });
    const shutdown = new AbortController();
    const starting = startDrivenTestApp('socket', db, slack, {
      reconnectPolicy: FAST,
      logger: createLogger('silent'),
      signal: shutdown.signal,
    });
    await slack.waitFor('apps.connections.open', slack.callsTo('apps.connections.open').length + 2);
    shutdown.abort(new Error('SIGTERM'));
    await expect(starting).rejects.toThrow('SIGTERM');
    slack.reset();
  });
});
