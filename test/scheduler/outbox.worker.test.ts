import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { countOutbox, enqueueMessage } from '../../src/outbox/outbox.repository';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { describeOnPostgres } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const logger = createLogger('silent');

/** Resolves once every pending message is due by the database's clock, the one the drain reads. */
async function untilAllDue(db: Kysely<Database>): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await sql<{ waiting: number }>`
        SELECT count(*)::int AS waiting FROM outbox WHERE status = 'pending' AND next_attempt_at > now()`.execute(db);
      return rows[0]?.waiting === 0;
    },
    { timeoutMs: 10_000, what: 'every pending message to be due' },
  );
}
const fast = { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 10, backoffMaxMs: 50 };

describe('the outbox', () => {
  let db: TestDb;
  let slack: FakeSlack;
  const port = () => createSlackPort(createWebClient('xoxb-test', slack.url, logger));

  beforeAll(async () => {
    db = await createTestDb({ poolSize: 10 });
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

  it('posts once and records where the message landed', async () => {
    expect(await enqueueMessage(db.db, 'k1', { operation: 'post', message: { channel: 'C1', text: 'hello' } })).toBe(
      true,
    );
    expect(await enqueueMessage(db.db, 'k1', { operation: 'post', message: { channel: 'C1', text: 'again' } })).toBe(
      false,
    );
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const row = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.result_channel).toBe('C1');
    expect(row.result_ts).toMatch(/^\d+\.\d+$/);
  });

  it('honours Retry-After on 429 and then delivers exactly once', async () => {
    slack.failNext('chat.postMessage', 1, { status: 429, retryAfter: 1 });
    await enqueueMessage(db.db, 'rl', { operation: 'post', message: { channel: 'C1', text: 'rate limited' } });
    const started = Date.now();
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 0, retried: 1, failed: 0 });
    const row = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.next_attempt_at.getTime() - started).toBeGreaterThanOrEqual(900);
    // Not due yet: a drain now must not call Slack.
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 0, retried: 0, failed: 0 });
    await untilAllDue(db.db);
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 1, retried: 0, failed: 0 });
    const calls = slack.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('backs off on 5xx and gives up after the bound with the error recorded', async () => {
    slack.failNext('chat.postMessage', 5, { status: 500 });
    await enqueueMessage(db.db, 'boom', { operation: 'post', message: { channel: 'C1', text: 'x' } });
    const options = { ...fast, maxAttempts: 3 };
    for (let i = 0; i < 3; i++) {
      await drainOutbox(db.db, port(), logger, options);
      await untilAllDue(db.db);
    }
    const row = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(row.last_error).toContain('HTTP 500');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
  });

  it('fails a permanent platform error at once', async () => {
    await enqueueMessage(db.db, 'nochan', { operation: 'post', message: { channel: 'C404', text: 'x' } });
    slack.failNext('chat.postMessage', 1, { error: 'channel_not_found' });
    expect(await drainOutbox(db.db, port(), logger, fast)).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await countOutbox(db.db)).toEqual({ pending: 0, sent: 0, failed: 1 });
  });

  it('delivers an edit only after its post, using the recorded ts', async () => {
    await enqueueMessage(db.db, 'post', { operation: 'post', message: { channel: 'C1', text: 'v1' } });
    await enqueueMessage(db.db, 'edit-1', { operation: 'update', target: 'post', message: { text: 'v2' } });
    await enqueueMessage(db.db, 'edit-2', { operation: 'update', target: 'post', message: { text: 'v3' } });
    slack.failNext('chat.postMessage', 1, { status: 500 });
    // A backoff no drain pass can outlast, however loaded the machine (the cap must allow it too); the test then
    // brings the retry forward itself, since what it checks is the order, not the wait.
    const slow = { ...fast, backoffBaseMs: 60_000, backoffMaxMs: 60_000 };
    await drainOutbox(db.db, port(), logger, slow);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    await db.db.updateTable('outbox').set({ next_attempt_at: new Date() }).where('status', '=', 'pending').execute();
    await drainOutbox(db.db, port(), logger, slow);
    const [post] = slack.callsTo('chat.postMessage').filter((c) => !c.failure);
    const updates = slack.callsTo('chat.update');
    expect(updates.map((u) => u.args.text)).toEqual(['v2', 'v3']);
    expect(updates[0]?.args.ts).toBeDefined();
    expect(slack.callsTo('chat.postMessage').at(-1)?.args.text).toBe('v1');
    expect(post).toBeDefined();
  });
});

describeOnPostgres(
  'the outbox with concurrent drainers (real PostgreSQL only: PGlite runs one transaction at a time, so this race cannot happen there)',
  () => {
    let db: TestDb;
    let slack: FakeSlack;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 10 });
      slack = await startFakeSlack();
    });
    afterAll(async () => {
      await slack.close();
      await db.close();
    });

    it('delivers each of 200 messages exactly once with two drainers racing', async () => {
      for (let i = 0; i < 200; i++) {
        await enqueueMessage(db.db, `m${i}`, { operation: 'post', message: { channel: 'C1', text: `message ${i}` } });
      }
      const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
      const [a, b] = await Promise.all([
        drainOutbox(db.db, port, logger, { ...fast, batchSize: 5 }),
        drainOutbox(db.db, port, logger, { ...fast, batchSize: 5 }),
      ]);
      expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(200);
      expect(a?.sent).toBeGreaterThan(0);
      expect(b?.sent).toBeGreaterThan(0);
      const texts = slack.callsTo('chat.postMessage').map((c) => c.args.text);
      expect(texts).toHaveLength(200);
      expect(new Set(texts).size).toBe(200);
    });
  },
);
