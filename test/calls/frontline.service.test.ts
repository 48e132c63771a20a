import { recordSurvey } from '../../src/calls/advocacy.service';
import {
  BRIEF_HOLD_SECONDS,
  briefKey,
  completeBrief,
  loadCustomerHistory,
  THREAD_TIMEOUT_MS,
  threadFailureReason,
} from '../../src/calls/brief.service';
import type { AttemptInput } from '../../src/calls/call';
import { claimComplaint, logAttempt } from '../../src/calls/claim.service';
import { createLogger } from '../../src/logger';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { HelpDeskApiError, type HelpDeskClient, type ThreadMessage } from '../../src/ports/helpdesk.port';
import { EXEC_1, EXEC_2, LEAD_1 } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const logger = createLogger('silent');
const NOW = new Date('2026-12-01T15:00:00Z');
const SUPPORT = 'CSUPPORT01';
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

const attempt = (overrides: Partial<AttemptInput> = {}): AttemptInput => ({
  outcome: 'reached',
  notes: 'They want the refund in writing. Call +1 415 555 0142.',
  followUpDate: undefined,
  assessment: 'neutral',
  okToQuote: true,
  ...overrides,
});

/** A help desk whose thread answers as told: plain objects behind the port, no HTTP. */
function fakeClient(answer: (signal: AbortSignal | undefined) => Promise<ThreadMessage[]>): HelpDeskClient {
  return {
    source: 'zendesk',
    addInternalNote: () => Promise.reject(new Error('the brief never writes notes')),
    fetchThread: (_ticketId, _limit, signal) => answer(signal),
  };
}

describe('the front line and the brief, on a real database', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  const claim = (complaintId: number, userId = EXEC_1, helpdesks = {}) =>
    db.db.transaction().execute((trx) => claimComplaint(trx, { complaintId, userId, now: NOW, helpdesks }));
  const log = (claimId: number, a: AttemptInput, options: { supportChannel?: string; userId?: string } = {}) =>
    db.db.transaction().execute((trx) =>
      logAttempt(trx, {
        claimId,
        userId: options.userId ?? EXEC_1,
        attempt: a,
        now: NOW,
        followupDays: 14,
        supportChannel: 'supportChannel' in options ? options.supportChannel : SUPPORT,
      }),
    );
  const outbox = async (prefix: string) => {
    const rows = await db.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'payload', 'next_attempt_at'])
      .where('dedupe_key', 'like', `${prefix}%`)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ key: r.dedupe_key, payload: r.payload as OutboxMessage, due: r.next_attempt_at }));
  };
  const keys = async (prefix: string) => (await outbox(prefix)).map((r) => r.key);

  describe('the customer’s history', () => {
    it('says there is none for a first complaint', async () => {
      const id = await insertComplaint(db.db);
      expect(await loadCustomerHistory(db.db, id)).toEqual({ earlier: [], earlierTotal: 0, calls: [], surveys: [] });
    });

    it('finds earlier complaints by email (any case), E.164 phone (any format) or company (any case)', async () => {
      const customer = { email: 'Grace@Navy.example', phone: '+1 (415) 555-0177', company: 'Navy Labs' };
      const current = await insertComplaint(db.db, { customer }, { received_at: daysAgo(0) });
      const byEmail = await insertComplaint(
        db.db,
        { customer: { email: 'grace@navy.EXAMPLE' } },
        { received_at: daysAgo(30) },
      );
      const byPhone = await insertComplaint(
        db.db,
        { customer: { phone: '415.555.0177' } },
        { received_at: daysAgo(20) },
      );
      const byCompany = await insertComplaint(
        db.db,
        { customer: { company: 'NAVY LABS' } },
        { received_at: daysAgo(10) },
      );
      // Not this customer's; this customer's but later; this customer's but erased.
      await insertComplaint(db.db, {}, { received_at: daysAgo(5) });
      await insertComplaint(db.db, { customer }, { received_at: new Date(NOW.getTime() + 60_000) });
      await insertComplaint(db.db, { customer }, { received_at: daysAgo(40), pii_erased_at: daysAgo(1) });

      const history = await loadCustomerHistory(db.db, current);
      expect(history.earlierTotal).toBe(3);
      expect(history.earlier.map((c) => [c.id, c.matchedBy])).toEqual([
        [byCompany, 'company'],
        [byPhone, 'phone'],
        [byEmail, 'email'],
      ]);
    });

    it('carries earlier calls (who, how it went) and survey scores, and this complaint’s own earlier tries', async () => {
      const customer = { email: 'ada@engines.example' };
      const old = await insertComplaint(db.db, { customer }, { received_at: daysAgo(60) });
      const oldClaim = await claim(old, EXEC_2);
      await log(oldClaim.claim.id, attempt({ assessment: 'still_unhappy' }), { userId: EXEC_2 });
      await db.db.transaction().execute((trx) => recordSurvey(trx, { complaint: { id: old }, score: 4, now: NOW }));

      const current = await insertComplaint(db.db, { customer }, { received_at: daysAgo(1) });
      const first = await claim(current);
      await log(first.claim.id, attempt({ outcome: 'voicemail', assessment: undefined }));

      const history = await loadCustomerHistory(db.db, current);
      expect(history.earlier).toEqual([
        expect.objectContaining({
          id: old,
          matchedBy: 'email',
          lastCall: expect.objectContaining({ executive: EXEC_2, outcome: 'reached', assessment: 'still_unhappy' }),
        }),
      ]);
      expect(history.calls.map((c) => [c.complaintId, c.onThisComplaint, c.executive, c.outcome])).toEqual(
        expect.arrayContaining([
          [current, true, EXEC_1, 'voicemail'],
          [old, false, EXEC_2, 'reached'],
        ]),
      );
      expect(history.surveys).toEqual([{ complaintId: old, score: 4, at: expect.any(Date) }]);
    });

    it('returns at most five earlier complaints, newest first, and counts them all', async () => {
      const customer = { company: `Bounded ${Date.now()}` };
      for (let n = 1; n <= 7; n++) await insertComplaint(db.db, { customer }, { received_at: daysAgo(10 + n) });
      const current = await insertComplaint(db.db, { customer }, { received_at: daysAgo(1) });
      const history = await loadCustomerHistory(db.db, current);
      expect(history.earlierTotal).toBe(7);
      expect(history.earlier).toHaveLength(5);
      const times = history.earlier.map((c) => c.receivedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });
  });

  describe('the support lead who escalated', () => {
    it('hears when their complaint is claimed and after each call, with the learning only when shareable', async () => {
      const id = await insertComplaint(db.db, { escalatedBy: LEAD_1 });
      const { claim: taken } = await claim(id);
      expect(await keys(`claim:${taken.id}:`)).toEqual([`claim:${taken.id}:brief`, `claim:${taken.id}:lead`]);

      const voicemail = await log(taken.id, attempt({ outcome: 'voicemail', okToQuote: false }));
      const [dm] = await outbox(`attempt:${voicemail.attemptId}:lead`);
      expect(dm?.payload).toMatchObject({ operation: 'post', message: { channel: LEAD_1 } });
      expect(JSON.stringify(dm?.payload)).not.toContain('refund in writing');

      const reached = await log(taken.id, attempt());
      const [second] = await outbox(`attempt:${reached.attemptId}:lead`);
      const text = JSON.stringify(second?.payload);
      expect(text).toContain('They want the refund in writing. Call [phone].');
      expect(text).not.toContain('555');
    });

    it('hears nothing about complaints nobody escalated, or that they call themselves', async () => {
      const plain = await claim(await insertComplaint(db.db));
      const own = await claim(await insertComplaint(db.db, { escalatedBy: EXEC_2 }), EXEC_2);
      expect(await keys(`claim:${plain.claim.id}:lead`)).toEqual([]);
      expect(await keys(`claim:${own.claim.id}:lead`)).toEqual([]);
      const logged = await log(own.claim.id, attempt(), { userId: EXEC_2 });
      expect(await keys(`attempt:${logged.attemptId}:lead`)).toEqual([]);
    });
  });

  describe('the support channel', () => {
    it.each([
      ['reached', true],
      ['declined', true],
      ['wrong_number', true],
      ['voicemail', false],
      ['no_answer', false],
      ['rescheduled', false],
    ] as const)('after a %s call: a post? %s', async (outcome, posted) => {
      const { claim: taken } = await claim(await insertComplaint(db.db));
      const a = attempt({ outcome, followUpDate: outcome === 'rescheduled' ? '2026-12-03' : undefined });
      const logged = await log(taken.id, a);
      const rows = await outbox(`attempt:${logged.attemptId}:support`);
      expect(rows.map((r) => r.payload)).toEqual(
        posted
          ? [expect.objectContaining({ operation: 'post', message: expect.objectContaining({ channel: SUPPORT }) })]
          : [],
      );
    });

    it('gets the thank-you when it was ticked, mentioning the assignee looked up by email when it is sent', async () => {
      const assignee = { name: 'Dana Scully', email: 'dana@support.example' };
      const { claim: taken } = await claim(await insertComplaint(db.db, { assignee }));
      const logged = await log(taken.id, attempt({ outcome: 'voicemail', thanks: { message: 'Superb notes.' } }));
      const [thanks] = await outbox(`attempt:${logged.attemptId}:thanks`);
      expect(thanks?.payload).toMatchObject({
        operation: 'post',
        message: { channel: SUPPORT },
        mention: { email: 'dana@support.example', fallback: '*Dana Scully*' },
      });
      expect(JSON.stringify(thanks?.payload)).toContain('Superb notes.');
    });

    it('gets nothing at all without SUPPORT_CHANNEL, thank-you included', async () => {
      const { claim: taken } = await claim(await insertComplaint(db.db));
      const logged = await log(taken.id, attempt({ thanks: {} }), { supportChannel: undefined });
      expect(await keys(`attempt:${logged.attemptId}:`)).toEqual([`attempt:${logged.attemptId}:logged`]);
    });
  });

  describe('the brief and the ticket thread', () => {
    const messages: ThreadMessage[] = [
      { author: 'customer', text: 'Charged twice, nobody answers.', at: daysAgo(2) },
      { author: 'agent', text: 'Refund requested.', at: daysAgo(1) },
    ];
    const briefText = async (claimId: number) => JSON.stringify((await outbox(briefKey(claimId)))[0]?.payload);

    it('goes at once, with the history, when the help desk has no client', async () => {
      const { claim: taken } = await claim(await insertComplaint(db.db, { source: 'zendesk' }));
      const [brief] = await outbox(briefKey(taken.id));
      expect(brief?.due.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      expect(await briefText(taken.id)).toContain('First complaint from this customer.');
      expect(await briefText(taken.id)).not.toContain('ticket thread');
    });

    it('waits for the thread when there is a client, then goes with the customer’s words', async () => {
      const helpdesks = { zendesk: fakeClient(async () => messages) };
      const { claim: taken } = await claim(await insertComplaint(db.db, { source: 'zendesk' }), EXEC_1, helpdesks);
      const [held] = await outbox(briefKey(taken.id));
      expect(held?.due.getTime()).toBeGreaterThan(Date.now() + (BRIEF_HOLD_SECONDS - 3) * 1_000);
      expect(await briefText(taken.id)).toContain("Couldn't load the ticket thread");

      await completeBrief(db.db, { claimId: taken.id, helpdesks, now: () => NOW, logger });
      const [completed] = await outbox(briefKey(taken.id));
      expect(completed?.due.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      const text = await briefText(taken.id);
      expect(text).toContain('In their words');
      expect(text).toContain('>Charged twice, nobody answers.');
      expect(text).toContain('Refund requested.');
      expect(text).toContain('First complaint from this customer.');
    });

    it.each([
      ['slow', () => new Promise<ThreadMessage[]>(() => {}), 'took more than 3 s'],
      [
        'failing',
        () => Promise.reject(new HelpDeskApiError('Zendesk could not handle it', true, { status: 503 })),
        'answered HTTP 503',
      ],
    ])('goes without the thread, saying why, when the help desk is %s', async (_scenario, answer, reason) => {
      const helpdesks = {
        zendesk: fakeClient((signal) =>
          // A slow help desk is cut off by the brief's own time-out, as a real client's fetch would be.
          Promise.race([
            answer(),
            new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
          ]),
        ),
      };
      const { claim: taken } = await claim(await insertComplaint(db.db, { source: 'zendesk' }), EXEC_1, helpdesks);
      const started = Date.now();
      await completeBrief(db.db, { claimId: taken.id, helpdesks, now: () => NOW, logger });
      expect(Date.now() - started).toBeLessThan(THREAD_TIMEOUT_MS + 2_000);
      const text = await briefText(taken.id);
      expect(text).toContain(`Couldn't load the ticket thread: the help desk ${reason}`);
      expect(text).not.toContain('In their words');
    });
  });
});

describe('threadFailureReason', () => {
  it.each([
    ['a time-out', new Error('aborted'), true, 'the help desk took more than 3 s to answer'],
    [
      'a 401',
      new HelpDeskApiError('x', false, { status: 401 }),
      false,
      "the help desk refused Pickup's credentials (HTTP 401)",
    ],
    ['a 404', new HelpDeskApiError('x', false, { status: 404 }), false, 'the help desk has no such ticket (HTTP 404)'],
    [
      'a 429',
      new HelpDeskApiError('x', true, { status: 429 }),
      false,
      'the help desk is rate-limiting Pickup (HTTP 429)',
    ],
    ['a 502', new HelpDeskApiError('x', true, { status: 502 }), false, 'the help desk answered HTTP 502'],
    ['no answer at all', new HelpDeskApiError('x', true), false, 'the help desk could not be reached'],
    ['a bug of ours', new TypeError('bug'), false, 'something went wrong on our side (it is in the logs)'],
  ])('%s', (_scenario, err, timedOut, reason) => {
    expect(threadFailureReason(err, timedOut)).toBe(reason);
  });
});
