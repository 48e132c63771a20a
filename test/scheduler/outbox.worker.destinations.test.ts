import { sql } from 'kysely';
import type { VendorSource } from '../../src/complaints/complaint';
import { createOutgoingWebhook, verifyPickupSignature } from '../../src/helpdesks/outgoing/outgoing-webhook';
import { createLogger } from '../../src/logger';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { countOutbox, enqueueMessage } from '../../src/outbox/outbox.repository';
import { listUndeliveredMessages } from '../../src/outbox/outbox.service';
import type { PickupEvent } from '../../src/ports/events.port';
import {
  DEFAULT_OUTBOX_OPTIONS,
  drainOutbox,
  type OutboxDestinations,
  type OutboxOptions,
} from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { describeOnPostgres } from '../helpers/env';
import { createFakeHelpDeskClient, type FakeHelpDeskClient } from '../helpers/fake-helpdesk-client';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from '../helpers/fake-webhook-receiver';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// Help-desk notes and webhook events leave through the same outbox as Slack messages, under the same rules: 429 waits
// for Retry-After, 5xx and network failures back off, permanent refusals fail at once with advice, and each message
// is delivered once, whoever drains and whatever dies mid-call.

const logger = createLogger('silent');
const fast: OutboxOptions = { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 10, backoffMaxMs: 50 };
const SECRET = 'outbox-test-secret-0123456789';

const note = (ticketId = '8812', source: VendorSource = 'zendesk'): OutboxMessage => ({
  operation: 'helpdesk_note',
  source,
  ticketId,
  note: { text: 'An executive will call: Grace Hopper, COO.', tags: [] },
});

let eventCount = 0;
const event = (): OutboxMessage => {
  eventCount += 1;
  const e: PickupEvent = {
    id: `evt_test_${eventCount}`,
    type: 'action.changed',
    occurredAt: new Date().toISOString(),
    data: { action: { id: eventCount, complaintId: 1, status: 'open', theme: null, owner: 'U1', dueDate: null } },
  };
  return { operation: 'webhook', event: e };
};

/** The outbox row of a key, for its status, attempts and times. */
const rowOf = (db: TestDb, key: string) =>
  db.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow();

describe('the outbox delivers help-desk notes and webhook events as it delivers Slack messages', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let receiver: FakeWebhookReceiver;
  let zendesk: FakeHelpDeskClient;
  let to: OutboxDestinations;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    receiver = await startFakeWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    receiver.reset();
    zendesk = createFakeHelpDeskClient('zendesk');
    to = {
      slack: createSlackPort(createWebClient('xoxb-test', slack.url, logger)),
      helpdesks: { zendesk },
      webhook: createOutgoingWebhook({ url: receiver.url, secrets: [SECRET], now: () => new Date() }),
    };
    await db.db.deleteFrom('outbox').execute();
  });

  it('sends each kind to its own destination, once', async () => {
    await enqueueMessage(db.db, 'slack', { operation: 'post', message: { channel: 'C1', text: 'hello' } });
    await enqueueMessage(db.db, 'note', note());
    await enqueueMessage(db.db, 'event', event());
    expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(zendesk.notes().map((n) => [n.ticketId, n.note.text])).toEqual([
      ['8812', 'An executive will call: Grace Hopper, COO.'],
    ]);
    const [got] = receiver.received;
    expect(receiver.received).toHaveLength(1);
    expect(
      verifyPickupSignature(SECRET, String(got?.headers['pickup-signature']), got?.rawBody ?? '', Date.now(), 300_000),
    ).toBe(true);
    expect(await countOutbox(db.db)).toEqual({ pending: 0, sent: 3, failed: 0 });
  });

  it.each([
    [
      401,
      /Zendesk refused Pickup's credentials \(HTTP 401\)\. Check ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN/,
    ],
    [403, /does not let that account write on Zendesk ticket 8812 \(HTTP 403\)/],
    [404, /Zendesk has no ticket 8812 \(HTTP 404\): it was deleted or merged/],
    [422, /Zendesk refused the note itself \(HTTP 422\).*Pickup bug/],
  ] as const)(
    'fails a note refused with HTTP %i at once, listed with its target and advice',
    async (status, advice) => {
      zendesk.failNext(1, { status });
      await enqueueMessage(db.db, 'claim:1:note', note());
      expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 0, failed: 1 });
      expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(zendesk.calls).toHaveLength(1);
      const list = await listUndeliveredMessages(db.db, { failedOnly: true, limit: 10 });
      expect(list.items).toEqual([
        expect.objectContaining({
          key: 'claim:1:note',
          kind: 'note',
          target: 'zendesk ticket 8812',
          status: 'failed',
          attempts: 1,
          reason: `Zendesk: HTTP ${status} from the API`,
          advice: expect.stringMatching(advice),
        }),
      ]);
    },
  );

  it('waits out a 429 for its Retry-After, then writes the note once', async () => {
    zendesk.failNext(1, { status: 429, retryAfterMs: 1_000 });
    await enqueueMessage(db.db, 'rl', note());
    expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 1, failed: 0 });
    const waiting = await rowOf(db, 'rl');
    expect(waiting.status).toBe('pending');
    expect(waiting.next_attempt_at.getTime() - (zendesk.calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect((await listUndeliveredMessages(db.db, { failedOnly: false, limit: 10 })).items[0]?.advice).toMatch(
      /^Nothing yet: Pickup retries it by itself\. If it keeps failing: Zendesk could not be reached/,
    );
    await waitFor(async () => (await drainOutbox(db.db, to, logger, fast)).sent === 1, {
      timeoutMs: 5_000,
      what: 'the note to be retried',
      intervalMs: 50,
    });
    const [first, second] = zendesk.calls;
    expect(zendesk.calls).toHaveLength(2);
    expect(zendesk.notes()).toHaveLength(1);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('backs off on 5xx and network failures, then writes the note once', async () => {
    zendesk.failNext(1, { status: 503 });
    zendesk.failNext(1, { network: true });
    await enqueueMessage(db.db, 'flaky', note());
    await waitFor(async () => (await drainOutbox(db.db, to, logger, fast)).sent === 1, {
      timeoutMs: 5_000,
      seen: () => `still failing after ${zendesk.calls.length} calls`,
      intervalMs: 20,
    });
    expect(zendesk.calls.map((c) => c.failure ?? 'ok')).toEqual([{ status: 503 }, { network: true }, 'ok']);
    expect(await rowOf(db, 'flaky')).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
  });

  it('gives up on a help desk that keeps failing after the attempt bound', async () => {
    zendesk.failNext(5, { status: 500 });
    await enqueueMessage(db.db, 'down', note());
    const options = { ...fast, maxAttempts: 3 };
    await waitFor(async () => (await drainOutbox(db.db, to, logger, options)).failed === 1, {
      timeoutMs: 5_000,
      seen: () => `not given up after ${zendesk.calls.length} calls`,
      intervalMs: 20,
    });
    expect(zendesk.calls).toHaveLength(3);
    const [item] = (await listUndeliveredMessages(db.db, { failedOnly: true, limit: 1 })).items;
    expect(item?.advice).toMatch(/^Zendesk could not be reached, or kept failing, on every attempt/);
  });

  it('fails a note for a help desk whose client is gone, saying which settings to restore', async () => {
    await enqueueMessage(db.db, 'no-client', note('8812', 'freshdesk'));
    expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 0, failed: 1 });
    const [item] = (await listUndeliveredMessages(db.db, { failedOnly: true, limit: 1 })).items;
    expect(item?.target).toBe('freshdesk ticket 8812');
    expect(item?.advice).toMatch(/^Freshdesk's API settings \(FRESHDESK_DOMAIN and FRESHDESK_API_KEY\) are not set/);
  });

  it.each([
    [410, /says the endpoint is gone \(HTTP 410\)\. Point OUTCOME_WEBHOOK_URL at its new address, or unset it/],
    [401, /could not verify Pickup-Signature\. Give it the same OUTCOME_WEBHOOK_SECRET/],
    [404, /OUTCOME_WEBHOOK_URL points at no endpoint \(HTTP 404\)/],
    [400, /The receiver refused the event \(HTTP 400\); what it said is in the reason/],
  ] as const)('fails an event the receiver refuses with HTTP %i, with advice', async (status, advice) => {
    receiver.answerNext(1, { status, body: 'nope' });
    await enqueueMessage(db.db, 'claim:1:event', event());
    expect(await drainOutbox(db.db, to, logger, fast)).toEqual({ sent: 0, retried: 0, failed: 1 });
    const [item] = (await listUndeliveredMessages(db.db, { failedOnly: true, limit: 1 })).items;
    expect(item).toMatchObject({
      kind: 'event action.changed',
      target: 'webhook',
      reason: `the webhook receiver answered HTTP ${status}: nope`,
    });
    expect(item?.advice).toMatch(advice);
  });

  it('retries an event after 429 (Retry-After) and 5xx, with the same id and body each time', async () => {
    receiver.answerNext(1, { status: 429, retryAfter: '1' });
    receiver.answerNext(1, { status: 502 });
    const message = event();
    await enqueueMessage(db.db, 'ev', message);
    await waitFor(async () => (await drainOutbox(db.db, to, logger, fast)).sent === 1, {
      timeoutMs: 5_000,
      seen: () => `not delivered: ${receiver.received.map((r) => r.status).join(', ')}`,
      intervalMs: 50,
    });
    const [limited, failed, delivered] = receiver.received;
    expect(receiver.received.map((r) => r.status)).toEqual([429, 502, 200]);
    expect((failed?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(new Set(receiver.received.map((r) => r.headers['pickup-event-id']))).toEqual(
      new Set([message.operation === 'webhook' ? message.event.id : '']),
    );
    expect(new Set(receiver.received.map((r) => r.rawBody)).size).toBe(1);
    expect(receiver.delivered()).toHaveLength(1);
    expect(delivered?.event).toEqual(message.operation === 'webhook' ? message.event : undefined);
  });

  it('fails an event when OUTCOME_WEBHOOK_URL was unset since it was queued', async () => {
    await enqueueMessage(db.db, 'unset', event());
    expect(await drainOutbox(db.db, { ...to, webhook: undefined }, logger, fast)).toEqual({
      sent: 0,
      retried: 0,
      failed: 1,
    });
    const [item] = (await listUndeliveredMessages(db.db, { failedOnly: true, limit: 1 })).items;
    expect(item?.reason).toBe('OUTCOME_WEBHOOK_URL is not set (it was when this event was queued)');
    expect(item?.advice).toMatch(/^Set OUTCOME_WEBHOOK_URL and OUTCOME_WEBHOOK_SECRET again/);
  });

  it('delivers once after a drainer dies mid-call: only when its lease has run out', async () => {
    // Drainer A leases the note and the event, then the first call it makes never returns: the process was killed.
    // (Which one it makes first is the lease's order; either way the other stays leased, untouched.)
    const frozenDesk = createFakeHelpDeskClient('zendesk');
    frozenDesk.failNext(1, { freeze: true });
    let frozenSends = 0;
    const frozenWebhook = {
      send: () => {
        frozenSends += 1;
        return new Promise<void>(() => {});
      },
    };
    await enqueueMessage(db.db, 'crash:note', note());
    await enqueueMessage(db.db, 'crash:event', event());
    const leaseSeconds = 1;
    const dying = { ...to, helpdesks: { zendesk: frozenDesk }, webhook: frozenWebhook };
    void drainOutbox(db.db, dying, logger, { ...fast, leaseSeconds });
    await waitFor(() => frozenDesk.calls.length + frozenSends === 1, {
      timeoutMs: 5_000,
      what: 'drainer A to make its call',
      intervalMs: 10,
    });
    const leased = await rowOf(db, 'crash:event');
    expect(leased).toMatchObject({ status: 'pending', attempts: 1 });
    const leasedUntil = leased.leased_until?.getTime() ?? Number.POSITIVE_INFINITY;

    // Drainer B (the restarted process) finds nothing to do until the lease expires, then delivers each once.
    expect(await drainOutbox(db.db, to, logger, { ...fast, leaseSeconds })).toEqual({ sent: 0, retried: 0, failed: 0 });
    const result = await waitFor(
      async () => {
        const r = await drainOutbox(db.db, to, logger, { ...fast, leaseSeconds });
        return r.sent > 0 ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'drainer B to take over', intervalMs: 100 },
    );
    expect(result).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(zendesk.notes()).toHaveLength(1);
    expect(zendesk.notes()[0]?.at ?? 0).toBeGreaterThanOrEqual(leasedUntil - 50);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.delivered()).toHaveLength(1);
    expect(receiver.received[0]?.at ?? 0).toBeGreaterThanOrEqual(leasedUntil - 50);
    const rows = await db.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'attempts'])
      .where('dedupe_key', 'like', 'crash:%')
      .orderBy('dedupe_key')
      .execute();
    expect(rows).toEqual([
      { dedupe_key: 'crash:event', status: 'sent', attempts: 2 },
      { dedupe_key: 'crash:note', status: 'sent', attempts: 2 },
    ]);
  });
});

describeOnPostgres(
  'notes and events with concurrent drainers (real PostgreSQL only: PGlite runs one transaction at a time, so this race cannot happen there)',
  () => {
    let db: TestDb;
    let slack: FakeSlack;
    let receiver: FakeWebhookReceiver;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 10 });
      slack = await startFakeSlack();
      receiver = await startFakeWebhookReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await slack.close();
      await db.close();
    });

    it('delivers each of 100 notes and 100 events exactly once with two drainers racing', async () => {
      const zendesk = createFakeHelpDeskClient('zendesk');
      for (let i = 0; i < 100; i++) {
        await enqueueMessage(db.db, `n${i}`, note(String(i)));
        await enqueueMessage(db.db, `e${i}`, event());
      }
      const to: OutboxDestinations = {
        slack: createSlackPort(createWebClient('xoxb-test', slack.url, logger)),
        helpdesks: { zendesk },
        webhook: createOutgoingWebhook({ url: receiver.url, secrets: [SECRET], now: () => new Date() }),
      };
      const [a, b] = await Promise.all([
        drainOutbox(db.db, to, logger, { ...fast, batchSize: 5 }),
        drainOutbox(db.db, to, logger, { ...fast, batchSize: 5 }),
      ]);
      expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(200);
      expect(a?.sent).toBeGreaterThan(0);
      expect(b?.sent).toBeGreaterThan(0);
      const tickets = zendesk.calls.map((c) => c.ticketId);
      expect(tickets).toHaveLength(100);
      expect(new Set(tickets).size).toBe(100);
      const ids = receiver.received.map((r) => r.event.id);
      expect(ids).toHaveLength(100);
      expect(new Set(ids).size).toBe(100);
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE status = 'sent'`.execute(db.db);
      expect(Number(rows[0]?.n)).toBe(200);
    });
  },
);
