import { sql } from 'kysely';
import { createLogger } from '../../src/logger';
import { enqueueMessage, requeueFailed, summarizeFailures } from '../../src/outbox/outbox.repository';
import { listUndeliveredMessages, retryFailedMessages } from '../../src/outbox/outbox.service';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { describeOnPostgres } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const logger = createLogger('silent');
const fast = { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 10, backoffMaxMs: 50 };
const GONE = 'CGONE0001';

async function outboxRow(db: TestDb, key: string) {
  return db.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow();
}

/** A post to a missing channel and an edit of it, both failed the way the worker fails them. */
async function failPostAndEdit(db: TestDb, slack: FakeSlack, prefix: string) {
  await enqueueMessage(db.db, `${prefix}:post`, {
    operation: 'post',
    message: { channel: GONE, text: `${prefix} v1` },
  });
  await enqueueMessage(db.db, `${prefix}:edit`, {
    operation: 'update',
    target: `${prefix}:post`,
    message: { text: `${prefix} v2` },
  });
  await drainOutbox(db.db, createSlackPort(createWebClient('xoxb-test', slack.url, logger)), logger, fast);
  const post = await outboxRow(db, `${prefix}:post`);
  const edit = await outboxRow(db, `${prefix}:edit`);
  expect([post.status, edit.status]).toEqual(['failed', 'failed']);
  return { post, edit };
}

describe('re-queuing failed deliveries', () => {
  let db: TestDb;
  let slack: FakeSlack;
  const drain = () =>
    drainOutbox(db.db, createSlackPort(createWebClient('xoxb-test', slack.url, logger)), logger, fast);

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
    slack.setChannel(GONE, null);
    await db.db.deleteFrom('outbox').execute();
  });

  it('re-queues a failed post with the edit that waited on it, once, and they land in order after the fix', async () => {
    const { post, edit } = await failPostAndEdit(db, slack, 'a');
    expect(post.last_error).toBe('Slack refused the call: channel_not_found');
    expect(edit.last_error).toBe('the message it refers to (a:post) was never delivered');

    const first = await retryFailedMessages(db.db, { ids: [post.id] });
    expect(first.requeued.map((r) => [r.dedupe_key, r.via])).toEqual([
      ['a:post', null],
      ['a:edit', 'a:post'],
    ]);
    const again = await retryFailedMessages(db.db, { ids: [post.id] });
    expect(again).toEqual({ requeued: [], notFailed: [{ id: post.id, status: 'pending' }], unknown: [] });
    const requeued = await outboxRow(db, 'a:post');
    expect([requeued.status, requeued.attempts]).toEqual(['pending', 0]);

    slack.setChannel(GONE, {});
    slack.reset();
    expect(await drain()).toEqual({ sent: 2, retried: 0, failed: 0 });
    const [posted] = slack.callsTo('chat.postMessage');
    expect(posted?.args).toMatchObject({ channel: GONE, text: 'a v1' });
    const [updated] = slack.callsTo('chat.update');
    expect(updated?.args).toMatchObject({ channel: GONE, text: 'a v2' });
    expect(updated?.args.ts).toBeDefined();
    expect(await drain()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('re-queues every failed message with --all-failed, and tells sent and unknown ids apart', async () => {
    await failPostAndEdit(db, slack, 'b');
    await failPostAndEdit(db, slack, 'c');
    await enqueueMessage(db.db, 'fine', { operation: 'post', message: { channel: 'C1', text: 'fine' } });
    await drain();
    const sent = await outboxRow(db, 'fine');

    const all = await retryFailedMessages(db.db, { allFailed: true });
    expect(all.requeued.map((r) => r.dedupe_key).sort()).toEqual(['b:edit', 'b:post', 'c:edit', 'c:post']);
    expect(await retryFailedMessages(db.db, { allFailed: true })).toEqual({ requeued: [], notFailed: [], unknown: [] });
    expect(await retryFailedMessages(db.db, { ids: [sent.id, 987654] })).toEqual({
      requeued: [],
      notFailed: [{ id: sent.id, status: 'sent' }],
      unknown: [987654],
    });
  });

  it('lists failed messages first, each with its channel (the target’s for an edit), reason and advice', async () => {
    await enqueueMessage(db.db, 'queued', { operation: 'post', message: { channel: 'C1', text: 'later' } });
    await db.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() + 3_600_000) })
      .execute();
    await failPostAndEdit(db, slack, 'd');

    const list = await listUndeliveredMessages(db.db, { failedOnly: false, limit: 10 });
    expect([list.failed, list.pending]).toEqual([2, 1]);
    expect(list.items.map((m) => [m.key, m.status, m.channel])).toEqual([
      ['d:post', 'failed', GONE],
      ['d:edit', 'failed', GONE],
      ['queued', 'pending', 'C1'],
    ]);
    expect(list.items[0]?.advice).toMatch(/does not exist, or it is private/);
    expect(list.items[1]?.advice).toMatch(/retrying it retries this one too/);
    expect(list.items[2]?.advice).toMatch(/^Nothing: it is queued/);

    const failedOnly = await listUndeliveredMessages(db.db, { failedOnly: true, limit: 1 });
    expect(failedOnly.items.map((m) => m.key)).toEqual(['d:post']);
    expect(failedOnly.failed).toBe(2);
  });

  it('summarises failures for /healthz: the count and the newest reason', async () => {
    expect(await summarizeFailures(db.db)).toEqual({ failed: 0, lastError: null });
    await failPostAndEdit(db, slack, 'e');
    expect(await summarizeFailures(db.db)).toEqual({
      failed: 2,
      lastError: 'the message it refers to (e:post) was never delivered',
    });
  });
});

describeOnPostgres(
  'concurrent retries (real PostgreSQL only: PGlite runs one transaction at a time, so these races cannot happen there)',
  () => {
    let db: TestDb;
    let slack: FakeSlack;

    beforeAll(async () => {
      db = await createTestDb({ poolSize: 12 });
      slack = await startFakeSlack();
    });
    afterAll(async () => {
      await slack.close();
      await db.close();
    });
    beforeEach(async () => {
      slack.setChannel(GONE, null);
      await db.db.deleteFrom('outbox').execute();
    });

    it('re-queues once when a second retry waits on the first one’s row lock', async () => {
      const { post } = await failPostAndEdit(db, slack, 'lock');
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstTook = -1;
      const first = db.db.transaction().execute(async (trx) => {
        firstTook = (await requeueFailed(trx, { ids: [post.id] })).length;
        await held;
      });
      await waitFor(() => firstTook >= 0, { what: 'the first retry to take its rows' });
      const second = retryFailedMessages(db.db, { ids: [post.id] });
      // Wait until the second UPDATE is really blocked on the first one's lock, then let the first commit.
      await waitFor(
        async () => {
          const { rows } = await sql<{ n: string }>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.db);
          return Number(rows[0]?.n) > 0;
        },
        { intervalMs: 5, what: 'the second retry to wait on the lock' },
      );
      release();
      await first;
      expect(firstTook).toBe(2);
      expect(await second).toEqual({ requeued: [], notFailed: [{ id: post.id, status: 'pending' }], unknown: [] });
    });

    it('re-queues each message once with 10 retries racing, and delivers it once', async () => {
      const { post } = await failPostAndEdit(db, slack, 'race');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          retryFailedMessages(db.db, i % 2 ? { ids: [post.id] } : { allFailed: true }),
        ),
      );
      const keys = results.flatMap((r) => r.requeued.map((q) => q.dedupe_key)).sort();
      expect(keys).toEqual(['race:edit', 'race:post']);
      slack.setChannel(GONE, {});
      slack.reset();
      const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
      const [a, b] = await Promise.all([
        drainOutbox(db.db, port, logger, fast),
        drainOutbox(db.db, port, logger, fast),
      ]);
      expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(2);
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
      expect(slack.callsTo('chat.update')).toHaveLength(1);
    });
  },
);
