import { createLogger } from '../../src/logger';
import { MENTION_SLOT } from '../../src/outbox/outbox';
import { completeHeldMessage, enqueueMessage } from '../../src/outbox/outbox.repository';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const logger = createLogger('silent');
const fast = { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 10, backoffMaxMs: 50 };
const AGENT_EMAIL = 'dana.scully@support.example';

/** Drains until Slack got a post: for messages that become due later, on the database's clock. */
function drainUntilPosted(db: TestDb, slack: FakeSlack): Promise<true> {
  const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
  return waitFor(
    async () => {
      await drainOutbox(db.db, port, logger, fast);
      return slack.callsTo('chat.postMessage').length > 0;
    },
    { intervalMs: 50, what: 'a post', seen: () => slack.calls.map((c) => c.method).join(', ') },
  );
}

describe('the outbox: posts that mention someone by email, and messages held for completion', () => {
  let db: TestDb;
  let slack: FakeSlack;
  const drain = () =>
    drainOutbox(db.db, createSlackPort(createWebClient('xoxb-test', slack.url, logger)), logger, fast);
  const thanks = (key: string) =>
    enqueueMessage(db.db, key, {
      operation: 'post',
      message: { channel: 'CSUPPORT1', text: `Thank you, ${MENTION_SLOT}!`, blocks: [] },
      mention: { email: AGENT_EMAIL, fallback: '*Dana Scully*' },
    });

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    await db.db.deleteFrom('outbox').execute();
  });

  it('mentions the Slack user with that email, looked up when the post is sent', async () => {
    slack.setUser('UAGENT001', { profile: { email: 'Dana.Scully@support.example' } });
    await thanks('thanks-found');
    expect(await drain()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(slack.callsTo('users.lookupByEmail').map((c) => c.args.email)).toEqual([AGENT_EMAIL]);
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['Thank you, <@UAGENT001>!']);
  });

  it('names them instead when Slack knows nobody by that email (users_not_found)', async () => {
    await enqueueMessage(db.db, 'thanks-unknown', {
      operation: 'post',
      message: { channel: 'CSUPPORT1', text: `Thank you, ${MENTION_SLOT}!` },
      mention: { email: 'nobody@support.example', fallback: '*Dana Scully*' },
    });
    expect(await drain()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['Thank you, *Dana Scully*!']);
  });

  it('retries a lookup Slack rate-limits, then posts exactly once', async () => {
    slack.setUser('UAGENT001', { profile: { email: AGENT_EMAIL } });
    slack.failNext('users.lookupByEmail', 1, { status: 429, retryAfter: 1 });
    await thanks('thanks-retried');
    expect(await drain()).toEqual({ sent: 0, retried: 1, failed: 0 });
    await drainUntilPosted(db, slack);
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['Thank you, <@UAGENT001>!']);
    expect(slack.callsTo('users.lookupByEmail')).toHaveLength(2);
  });

  it('holds a message until it is completed, then sends what it was completed with, once', async () => {
    const held = { channel: 'UEXEC0001', text: 'brief without the thread' };
    await enqueueMessage(db.db, 'claim:1:brief', { operation: 'post', message: held }, { holdSeconds: 30 });
    expect(await drain()).toEqual({ sent: 0, retried: 0, failed: 0 });
    const completed = { channel: 'UEXEC0001', text: 'brief with the thread' };
    expect(await completeHeldMessage(db.db, 'claim:1:brief', { operation: 'post', message: completed })).toBe(true);
    expect(await drain()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['brief with the thread']);
    // Sent: a late completion changes nothing.
    expect(await completeHeldMessage(db.db, 'claim:1:brief', { operation: 'post', message: held })).toBe(false);
  });

  it('sends a held message as queued once its hold is over, when nobody completed it', async () => {
    await enqueueMessage(
      db.db,
      'claim:2:brief',
      { operation: 'post', message: { channel: 'UEXEC0001', text: 'as queued' } },
      { holdSeconds: 1 },
    );
    expect(await drain()).toEqual({ sent: 0, retried: 0, failed: 0 });
    await drainUntilPosted(db, slack);
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['as queued']);
  });

  it('never completes a message a worker has already tried', async () => {
    slack.failNext('chat.postMessage', 1, { status: 500 });
    await enqueueMessage(db.db, 'claim:3:brief', {
      operation: 'post',
      message: { channel: 'UEXEC0001', text: 'first' },
    });
    // A backoff long enough that the retry is not due again within this drain.
    const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
    const slow = { ...fast, backoffBaseMs: 60_000 };
    expect(await drainOutbox(db.db, port, logger, slow)).toEqual({ sent: 0, retried: 1, failed: 0 });
    const late = { operation: 'post' as const, message: { channel: 'UEXEC0001', text: 'late' } };
    expect(await completeHeldMessage(db.db, 'claim:3:brief', late)).toBe(false);
  });
});
