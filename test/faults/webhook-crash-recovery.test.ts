import { sql } from 'kysely';
import { verifyPickupSignature } from '../../src/helpdesks/outgoing/outgoing-webhook';
import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from '../helpers/fake-webhook-receiver';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';
import { startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { postsTo } from './support/db-state';

// A bot commits the day's pick, which queues its complaint.picked event in the same transaction, leases the event and
// POSTs it; the receiver takes the request and never answers, and the bot is SIGKILLed with the call in flight. A
// restarted bot must send the event again only once the dead bot's lease has expired, exactly once more, with the
// same id and body: the receiver did get the first request, so this is the at-least-once window that the event id
// (the idempotency key) is there to close on the receiver's side. And never a second draw, or a second event.

const LEASE_SECONDS = 5;
const SECRET = 'crash-webhook-secret-0123456789';

describeOnPostgres('SIGKILL while a webhook event is in flight (real processes on PostgreSQL)', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let receiver: FakeWebhookReceiver;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDb({ poolSize: 2 });
    slack = await startFakeSlack();
    receiver = await startFakeWebhookReceiver();
    await insertComplaint(db.db, { source: 'zendesk', externalId: '8812' });
  }, 240_000);

  afterAll(async () => {
    await stopAllBots();
    await receiver?.close();
    await slack?.close();
    await db?.close();
  });

  it('sends the event again after a restart, once the lease has expired, with the same id', async () => {
    const env = {
      DATABASE_URL: db.url,
      SLACK_API_URL: slack.url,
      PICK_SCHEDULE: '* * * * *',
      EXECUTIVES: `${EXEC_1},${EXEC_2}`,
      OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
      OUTCOME_WEBHOOK_URL: receiver.url,
      OUTCOME_WEBHOOK_SECRET: SECRET,
    };
    receiver.answerNext(1, { hold: true });
    // The start-up catch-up draws; its event hangs in the receiver.
    const first = await startBot({ label: 'bot-1', env });
    const [held] = await receiver.waitFor(1, 20_000);
    expect(held?.event.type).toBe('complaint.picked');

    const [pick] = await db.db.selectFrom('picks').selectAll().execute();
    if (!pick) throw new Error(`the pick was not committed before its event went out\n${first.tail()}`);
    const key = `pick:${pick.pick_date}:event`;
    const inFlight = await db.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'leased_until', sql<boolean>`leased_until > now()`.as('leased')])
      .where('dedupe_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(inFlight).toMatchObject({ status: 'pending', attempts: 1, leased: true });

    await first.kill();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(receiver.delivered()).toHaveLength(0);

    const second = await startBot({ label: 'bot-2', env });
    // Sent is final: the outbox never leases a sent row again, so nothing can follow this.
    const row = await waitFor(
      async () => {
        const r = await db.db
          .selectFrom('outbox')
          .select(['status', 'attempts'])
          .where('dedupe_key', '=', key)
          .executeTakeFirstOrThrow();
        return r.status === 'sent' ? r : undefined;
      },
      {
        timeoutMs: LEASE_SECONDS * 1000 + 15_000,
        seen: () => `${second.tail()}\nreceiver: ${receiver.received.map((r) => r.status).join(', ')}`,
      },
    );
    expect(row).toEqual({ status: 'sent', attempts: 2 });

    const [again, ...more] = receiver.received.slice(1);
    expect(more).toEqual([]);
    expect(again?.status).toBe(200);
    expect(again?.event.id).toBe(held?.event.id);
    expect(again?.rawBody).toBe(held?.rawBody);
    expect(again?.headers['pickup-event-id']).toBe(held?.event.id);
    expect(
      verifyPickupSignature(SECRET, String(again?.headers['pickup-signature']), again?.rawBody ?? '', Date.now()),
    ).toBe(true);
    // Not before the dead bot's lease ran out (same host clock for the database and the receiver).
    expect(again?.at ?? 0).toBeGreaterThanOrEqual((inFlight.leased_until?.getTime() ?? Number.POSITIVE_INFINITY) - 50);

    expect(await db.db.selectFrom('picks').select('id').execute()).toEqual([{ id: pick.id }]);
    const events = await db.db.selectFrom('outbox').select('dedupe_key').where('operation', '=', 'webhook').execute();
    expect(events).toEqual([{ dedupe_key: key }]);
    // The pick's Slack post went out too, once.
    await waitFor(() => postsTo(slack.calls, EXEC_CHANNEL).length > 0, {
      timeoutMs: 10_000,
      seen: () => second.tail(),
    });
    expect(postsTo(slack.calls, EXEC_CHANNEL)).toHaveLength(1);
    expect(second.isAlive()).toBe(true);
  }, 90_000);
});
