import { sql } from 'kysely';
import { pickPostKey } from '../../src/picks/pick.service';
import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';
import { startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { postsTo } from './support/db-state';
import { type HoldingProxy, startHoldingProxy } from './support/holding-proxy';

// A bot commits the day's pick (pick row, audit row and outbox post in one transaction), leases the post and calls
// chat.postMessage; Slack (a holding proxy in front of the fake) never answers, and the bot is SIGKILLed with the
// call in flight. A restarted bot must deliver the post exactly once: not before the dead bot's lease expires, and
// never a second draw. OUTBOX_LEASE_SECONDS shortens the 120 s production lease to keep the test quick.
//
// The held call never reaches the fake Slack, so "exactly once" counts calls that did. Had Slack received the call
// and the bot died before recording it, the restart would post again: the one window an outbox cannot close without
// Slack-side idempotency keys (see drainOutbox). This test proves everything short of that window.

const LEASE_SECONDS = 5;

describeOnPostgres('SIGKILL between committing a pick and posting it (real processes on PostgreSQL)', () => {
  let db: TestDb;
  let fake: FakeSlack;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDb({ poolSize: 2 });
    fake = await startFakeSlack();
    proxy = await startHoldingProxy(fake.baseUrl);
    for (let i = 0; i < 3; i++) await insertComplaint(db.db);
  }, 240_000);

  afterAll(async () => {
    await stopAllBots();
    await proxy?.close();
    await fake?.close();
    await db?.close();
  });

  it('posts the pick exactly once after a restart, once the lease has expired', async () => {
    const env = {
      DATABASE_URL: db.url,
      PICK_SCHEDULE: '* * * * *',
      EXECUTIVES: `${EXEC_1},${EXEC_2}`,
      OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const held = proxy.holdNext('chat.postMessage');
    // The start-up catch-up draws and posts at once; the post hangs in the proxy.
    const first = await startBot({ label: 'bot-1', env: { ...env, SLACK_API_URL: proxy.url } });
    const call = await held;
    expect(call.body).toContain(EXEC_CHANNEL);

    const [pick] = await db.db.selectFrom('picks').selectAll().execute();
    if (!pick) throw new Error(`the pick was not committed before its post went out\n${first.tail()}`);
    const key = pickPostKey(pick.pick_date);
    const inFlight = await db.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'leased_until', sql<boolean>`leased_until > now()`.as('leased')])
      .where('dedupe_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(inFlight).toMatchObject({ status: 'pending', attempts: 1, leased: true });

    await first.kill();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);

    const second = await startBot({ label: 'bot-2', env: { ...env, SLACK_API_URL: fake.url } });
    const [posted] = await waitFor(
      () => {
        const posts = postsTo(fake.calls, EXEC_CHANNEL);
        return posts.length > 0 ? posts : undefined;
      },
      { timeoutMs: LEASE_SECONDS * 1000 + 15_000, seen: () => `${second.tail()}\noutbox: ${key}` },
    );
    // The restarted bot's catch-up has found the day done, and the outbox has marked the post sent: no second
    // draw and no second lease can follow, so a duplicate would be here by now.
    await waitFor(() => second.logs.some((l) => l.job === 'pick' && l.status === 'already_picked'), {
      timeoutMs: 15_000,
      what: "the restarted bot's catch-up pick",
      seen: () => second.tail(),
    });
    await waitForOutboxIdle(db.db, 15_000);

    expect(postsTo(fake.calls, EXEC_CHANNEL)).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    // Not before the dead bot's lease ran out (same host clock for the database and the fake).
    expect(posted?.at ?? 0).toBeGreaterThanOrEqual((inFlight.leased_until?.getTime() ?? Number.POSITIVE_INFINITY) - 50);

    const picks = await db.db.selectFrom('picks').select(['id', 'complaint_id']).execute();
    expect(picks).toEqual([{ id: pick.id, complaint_id: pick.complaint_id }]);
    const draws = await db.db.selectFrom('audit_log').select('id').where('action', '=', 'pick.drawn').execute();
    expect(draws).toHaveLength(1);
    const row = await db.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'result_channel'])
      .where('dedupe_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', attempts: 2, result_channel: EXEC_CHANNEL });
    expect(second.isAlive()).toBe(true);
  }, 90_000);
});
