import { sql } from 'kysely';
import { recordFollowupEvidence, recordSurvey } from '../../src/calls/advocacy.service';
import type { AttemptInput } from '../../src/calls/call';
import { claimComplaint, logAttempt } from '../../src/calls/claim.service';
import { describeClaimer, type Outgoing, recordActionChanged } from '../../src/calls/outgoing';
import type { VendorSource } from '../../src/complaints/complaint';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { type DailyPickInput, runDailyPick } from '../../src/picks/pick.service';
import type { PickupEvent } from '../../src/ports/events.port';
import { forgetCustomer } from '../../src/privacy/forget.service';
import { EXEC_1, EXEC_2 } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const NOW = new Date('2026-12-07T10:00:00Z');
const DATE = '2026-12-07';
const GRACE = { name: 'Grace Hopper', title: 'COO' };

const outgoing = (overrides: Partial<Outgoing> = {}): Outgoing => ({
  helpdesks: new Set<VendorSource>(['zendesk']),
  webhook: true,
  writebackTags: ['exec-called'],
  profiles: { describe: async () => GRACE },
  ...overrides,
});

const pickInput = (o: Outgoing | undefined, overrides: Partial<DailyPickInput> = {}): DailyPickInput => ({
  date: DATE,
  now: NOW,
  timezone: 'UTC',
  executives: [EXEC_1, EXEC_2],
  eligibleDays: 30,
  cooldownDays: 90,
  trigger: 'cli',
  actor: 'cli',
  buildMessages: () => [],
  outgoing: o,
  ...overrides,
});

const reached = (overrides: Partial<AttemptInput> = {}): AttemptInput => ({
  outcome: 'reached',
  notes: 'Billing must warn before a renewal. She asked for a callback on +1 415 555 0142.',
  followUpDate: undefined,
  assessment: 'advocate',
  okToQuote: true,
  ...overrides,
});

/** The outbox, keyed by dedupe key, help-desk notes and webhook events only. */
async function outgoingMessages(db: TestDb): Promise<Record<string, OutboxMessage>> {
  const rows = await db.db
    .selectFrom('outbox')
    .select(['dedupe_key', 'payload'])
    .where('operation', 'in', ['helpdesk_note', 'webhook'])
    .orderBy('id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.dedupe_key, r.payload as OutboxMessage]));
}

const eventOf = (message: OutboxMessage | undefined): PickupEvent => {
  if (message?.operation !== 'webhook') throw new Error(`not a webhook event: ${JSON.stringify(message)}`);
  return message.event;
};

describe('what leaves Pickup when a complaint is picked, claimed and called', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await sql`TRUNCATE audit_log, outbox, complaints, draw_seeds CASCADE`.execute(db.db);
  });

  /** A picked and claimed Zendesk complaint, with its claim id. */
  async function pickAndClaim(o: Outgoing | undefined, source = 'zendesk') {
    const complaintId = await insertComplaint(db.db, { source, externalId: '8812' });
    const pick = await runDailyPick(db.db, pickInput(o));
    expect(pick.status).toBe('picked');
    const claimer = await describeClaimer(o, EXEC_1);
    const { claim } = await db.db
      .transaction()
      .execute((trx) => claimComplaint(trx, { complaintId, userId: EXEC_1, now: NOW, outgoing: o, claimer }));
    return { complaintId, claimId: claim.id, pickId: pick.pick.id };
  }

  it('queues, with the pick, complaint.picked and a note on its Zendesk ticket; a re-run queues nothing', async () => {
    const complaintId = await insertComplaint(db.db, { source: 'zendesk', externalId: '8812' });
    const first = await runDailyPick(db.db, pickInput(outgoing()));
    const messages = await outgoingMessages(db);
    expect(Object.keys(messages)).toEqual([`pick:${DATE}:event`, `pick:${DATE}:note`]);
    expect(messages[`pick:${DATE}:note`]).toEqual({
      operation: 'helpdesk_note',
      source: 'zendesk',
      ticketId: '8812',
      note: { text: "Pickup picked this complaint for today's executive call.", tags: [] },
    });
    const event = eventOf(messages[`pick:${DATE}:event`]);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9a-f-]{36}$/),
      type: 'complaint.picked',
      occurredAt: NOW.toISOString(),
      data: {
        complaint: { id: complaintId, source: 'zendesk', externalId: '8812', priority: 'urgent' },
        pick: { id: first.pick.id, date: DATE, poolSize: 1, suggestedExecutive: expect.any(String) },
      },
    });

    expect((await runDailyPick(db.db, pickInput(outgoing()))).status).toBe('already_picked');
    expect(Object.keys(await outgoingMessages(db))).toHaveLength(2);
  });

  it('says "the call of D" in the note of a pick made for another day', async () => {
    await insertComplaint(db.db, { source: 'zendesk', externalId: '8812' });
    await runDailyPick(db.db, pickInput(outgoing(), { date: '2026-12-04' }));
    const note = (await outgoingMessages(db))['pick:2026-12-04:note'];
    expect(note).toMatchObject({
      note: { text: 'Pickup picked this complaint for the executive call of 2026-12-04.' },
    });
  });

  it('queues no note for a source without a configured client, and no event without a webhook', async () => {
    await insertComplaint(db.db, { source: 'freshdesk', externalId: 'F-1' });
    await runDailyPick(db.db, pickInput(outgoing()));
    expect(Object.keys(await outgoingMessages(db))).toEqual([`pick:${DATE}:event`]);

    await sql`TRUNCATE outbox, complaints, draw_seeds CASCADE`.execute(db.db);
    await insertComplaint(db.db, { source: 'zendesk', externalId: '8812' });
    await runDailyPick(db.db, pickInput(outgoing({ webhook: false })));
    expect(Object.keys(await outgoingMessages(db))).toEqual([`pick:${DATE}:note`]);

    await sql`TRUNCATE outbox, complaints, draw_seeds CASCADE`.execute(db.db);
    await pickAndClaim(undefined);
    expect(await outgoingMessages(db)).toEqual({});
  });

  it('queues, with the claim, complaint.claimed and a note naming the executive by name and title', async () => {
    const { claimId, complaintId } = await pickAndClaim(outgoing());
    const messages = await outgoingMessages(db);
    expect(messages[`claim:${claimId}:note`]).toMatchObject({
      operation: 'helpdesk_note',
      note: { text: 'An executive will call: Grace Hopper, COO.', tags: [] },
    });
    expect(eventOf(messages[`claim:${claimId}:event`])).toMatchObject({
      type: 'complaint.claimed',
      data: {
        complaint: { id: complaintId },
        claim: { id: claimId, executive: EXEC_1, claimedAt: expect.any(String) },
      },
    });
  });

  it('does not ask Slack who the claimer is when no help desk takes notes', async () => {
    const describe = jest.fn(async () => GRACE);
    expect(await describeClaimer(outgoing({ helpdesks: new Set(), profiles: { describe } }), EXEC_1)).toBeUndefined();
    expect(describe).not.toHaveBeenCalled();
  });

  it('falls back to "an executive" when Slack did not say who the claimer is', async () => {
    const { claimId } = await pickAndClaim(outgoing({ profiles: { describe: async () => undefined } }));
    expect((await outgoingMessages(db))[`claim:${claimId}:note`]).toMatchObject({
      note: { text: 'An executive will call this customer.' },
    });
  });

  it('queues nothing when the claim fails: the note and event share its transaction', async () => {
    const { complaintId } = await pickAndClaim(outgoing());
    const before = Object.keys(await outgoingMessages(db));
    await expect(
      db.db
        .transaction()
        .execute((trx) =>
          claimComplaint(trx, { complaintId, userId: EXEC_2, now: NOW, outgoing: outgoing(), claimer: GRACE }),
        ),
    ).rejects.toThrow(/Already claimed/);
    expect(Object.keys(await outgoingMessages(db))).toEqual(before);
  });

  it('queues, with a logged call, attempt.logged, advocate.recorded and a tagged note with the shareable learning', async () => {
    const { claimId, complaintId } = await pickAndClaim(outgoing());
    const { attemptId } = await db.db.transaction().execute((trx) =>
      logAttempt(trx, {
        claimId,
        userId: EXEC_1,
        attempt: reached(),
        now: NOW,
        followupDays: 14,
        outgoing: outgoing(),
      }),
    );
    const messages = await outgoingMessages(db);
    expect(messages[`attempt:${attemptId}:note`]).toEqual({
      operation: 'helpdesk_note',
      source: 'zendesk',
      ticketId: '8812',
      note: {
        text: [
          'An executive called this customer through Pickup.',
          'Outcome: Reached the customer',
          'Advocacy: Advocate: they would speak up for us',
          'Learning: Billing must warn before a renewal. She asked for a callback on [phone].',
        ].join('\n'),
        tags: ['exec-called'],
      },
    });
    expect(eventOf(messages[`attempt:${attemptId}:event`])).toMatchObject({
      type: 'attempt.logged',
      data: {
        attempt: {
          id: attemptId,
          claimId,
          executive: EXEC_1,
          outcome: 'reached',
          followUpDate: null,
          assessment: 'advocate',
          learning: 'Billing must warn before a renewal. She asked for a callback on [phone].',
          claimOpen: false,
        },
      },
    });
    expect(eventOf(messages[`attempt:${attemptId}:advocate-event`])).toMatchObject({
      type: 'advocate.recorded',
      data: {
        complaint: { id: complaintId },
        evidence: { kind: 'executive_assessment', source: 'executive', score: null, recordedBy: EXEC_1 },
      },
    });
  });

  it('carries no free text from notes the executive did not mark shareable', async () => {
    const { claimId } = await pickAndClaim(outgoing());
    const attempt = reached({ outcome: 'voicemail', assessment: undefined, okToQuote: false, followUpDate: DATE });
    const { attemptId } = await db.db
      .transaction()
      .execute((trx) =>
        logAttempt(trx, { claimId, userId: EXEC_1, attempt, now: NOW, followupDays: 14, outgoing: outgoing() }),
      );
    const messages = await outgoingMessages(db);
    expect(JSON.stringify(messages)).not.toContain('Billing must warn');
    expect(eventOf(messages[`attempt:${attemptId}:event`])).toMatchObject({
      data: { attempt: { learning: null, claimOpen: true, followUpDate: DATE } },
    });
    expect(messages[`attempt:${attemptId}:advocate-event`]).toBeUndefined();
  });

  it('queues advocate.recorded for a positive follow-up answer and a promoter survey, not for the others', async () => {
    const { claimId, complaintId } = await pickAndClaim(outgoing());
    const o = outgoing();
    await db.db.transaction().execute((trx) =>
      logAttempt(trx, {
        claimId,
        userId: EXEC_1,
        attempt: reached({ assessment: 'neutral' }),
        now: NOW,
        followupDays: 14,
        outgoing: o,
      }),
    );
    await db.db
      .transaction()
      .execute((trx) =>
        recordFollowupEvidence(trx, { complaintId, kind: 'none_yet', userId: EXEC_1, now: NOW, outgoing: o }),
      );
    await db.db
      .transaction()
      .execute((trx) =>
        recordFollowupEvidence(trx, { complaintId, kind: 'referral', userId: EXEC_1, now: NOW, outgoing: o }),
      );
    await db.db
      .transaction()
      .execute((trx) => recordSurvey(trx, { complaint: { id: complaintId }, score: 7, now: NOW, outgoing: o }));
    const promoter = await db.db.transaction().execute((trx) =>
      recordSurvey(trx, {
        complaint: { id: complaintId },
        score: 10,
        comment: 'Call me at +1 415 555 0142',
        now: NOW,
        outgoing: o,
      }),
    );
    const events = Object.entries(await outgoingMessages(db))
      .filter(([key]) => key.startsWith('evidence:'))
      .map(([key, m]) => [key, eventOf(m).data]);
    expect(events).toEqual([
      [
        expect.stringMatching(/^evidence:\d+:event$/),
        expect.objectContaining({
          evidence: { kind: 'referral', source: 'followup', score: null, recordedBy: EXEC_1 },
        }),
      ],
      [
        `evidence:${promoter.evidenceId}:event`,
        expect.objectContaining({
          evidence: { kind: 'survey_promoter', source: 'survey', score: 10, recordedBy: null },
        }),
      ],
    ]);
    expect(JSON.stringify(events)).not.toContain('415');
  });

  it('cancels the notes and events still waiting when the customer is forgotten', async () => {
    const { claimId, complaintId } = await pickAndClaim(outgoing());
    const o = outgoing();
    await db.db
      .transaction()
      .execute((trx) =>
        logAttempt(trx, { claimId, userId: EXEC_1, attempt: reached(), now: NOW, followupDays: 14, outgoing: o }),
      );
    await db.db
      .transaction()
      .execute((trx) =>
        recordFollowupEvidence(trx, { complaintId, kind: 'referral', userId: EXEC_1, now: NOW, outgoing: o }),
      );
    await db.db.transaction().execute((trx) => forgetCustomer(trx, { complaintId }, 'cli', NOW));
    const rows = await db.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'last_error', 'payload'])
      .where('operation', 'in', ['helpdesk_note', 'webhook'])
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      expect([row.dedupe_key, row.status, row.last_error, row.payload]).toEqual([
        row.dedupe_key,
        'failed',
        'erased',
        expect.objectContaining({ erased: true }),
      ]);
    }
  });

  it('queues action.changed once per change key', async () => {
    const action = { id: 3, complaintId: 1, status: 'done' as const, theme: 'billing', owner: EXEC_2, dueDate: DATE };
    for (let i = 0; i < 2; i++) {
      await db.db
        .transaction()
        .execute((trx) => recordActionChanged(trx, outgoing(), { changeKey: 'action:3:done', action, now: NOW }));
    }
    const messages = await outgoingMessages(db);
    expect(Object.keys(messages)).toEqual(['action:3:done:event']);
    expect(eventOf(messages['action:3:done:event'])).toMatchObject({ type: 'action.changed', data: { action } });
  });
});
