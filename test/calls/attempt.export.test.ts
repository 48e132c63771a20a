import type { Kysely, KyselyPlugin } from 'kysely';
import {
  EXPORT_COLUMNS,
  EXPORT_PAGE_SIZE,
  type ExportRow,
  exportAttempts,
  exportInterval,
  PII_COLUMNS,
} from '../../src/calls/attempt.export';
import type { Database } from '../../src/db/schema';
import { EXEC_1, EXEC_2 } from '../helpers/config';
import {
  insertAction,
  insertAttempt,
  insertClaim,
  insertComplaint,
  insertEvidence,
  insertPick,
} from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';

async function collect(rows: AsyncIterable<ExportRow>): Promise<ExportRow[]> {
  const all: ExportRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

/** A claim by `by` at `at` on a complaint; returns its id. */
async function claimAt(db: Kysely<Database>, complaintId: number, by: string, at: string): Promise<number> {
  return (await insertClaim(db, { complaint_id: complaintId, claimed_by: by, claimed_at: at })).id;
}

/** A call attempt (a voicemail unless `outcome` says) on a claim at `at`; returns its id. */
async function attemptAt(
  db: Kysely<Database>,
  a: { claimId: number; at: string; outcome?: string; notes?: string | null },
): Promise<number> {
  return (
    await insertAttempt(db, {
      claim_id: a.claimId,
      outcome: a.outcome ?? 'voicemail',
      notes: a.notes ?? null,
      created_at: a.at,
    })
  ).id;
}

/** Counts the queries a Kysely instance runs. */
function countingQueries(db: Kysely<Database>): { db: Kysely<Database>; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

describe('exportAttempts', () => {
  let db: TestDb;
  let pickedId: number;
  let reachedAttempt: number;
  let queueAttempt: number;

  beforeAll(async () => {
    db = await createTestDb();
    // A picked complaint, reached by EXEC_1, who judged the customer an advocate; a survey agreed.
    pickedId = await insertComplaint(
      db.db,
      {
        source: 'zendesk',
        externalId: 'Z-1',
        subject: 'Billed three times, call me on 415.555.0123',
        customer: { name: 'Ada Lovelace', company: 'Analytical Engines', phone: PHONE, email: EMAIL },
      },
      { received_at: '2026-03-02T12:00:00Z' },
    );
    await insertPick(db.db, { pick_date: '2026-03-03', complaint_id: pickedId, pool_size: 3, drawn_index: 1 });
    const claim = await claimAt(db.db, pickedId, EXEC_1, '2026-03-03T15:00:00Z');
    await attemptAt(db.db, {
      claimId: claim,
      at: '2026-03-03T16:00:00Z',
      notes: `No answer on (415) 555-0123; wrote to ${EMAIL} instead. Ticket 20260303.`,
    });
    reachedAttempt = (
      await insertAttempt(db.db, {
        claim_id: claim,
        outcome: 'reached',
        notes: 'Refund sent; they were gracious.',
        follow_up_date: '2026-03-17',
        advocate_assessment: 'advocate',
        ok_to_quote: true,
        created_at: '2026-03-04T14:00:00Z',
      })
    ).id;
    // The reached call opened an action, whose description names the customer's number.
    await insertAction(db.db, {
      complaint_id: pickedId,
      attempt_id: reachedAttempt,
      description: 'Refund triple charges automatically; confirm on 415.555.0123',
      theme: 'billing',
      owner_id: EXEC_2,
      requested_by: EXEC_1,
      due_date: '2026-03-20',
      status: 'done',
      closed_at: '2026-03-10T09:00:00Z',
    });
    for (const [kind, isAdvocacy, source] of [
      ['executive_assessment', true, 'executive'],
      ['survey_promoter', true, 'survey'],
      ['executive_assessment', true, 'executive'],
    ] as const) {
      await insertEvidence(db.db, {
        complaint_id: pickedId,
        kind,
        is_advocacy: isAdvocacy,
        source,
        recorded_by: EXEC_1,
      });
    }
    // One claimed from the queue (never picked), with a "none yet" follow-up that is not advocacy.
    const queuedId = await insertComplaint(db.db, {
      subject: 'Lost data',
      customer: { phone: '+442071234567', email: 'grace@example.org', company: undefined },
    });
    const claim2 = await claimAt(db.db, queuedId, EXEC_2, '2026-03-05T09:00:00Z');
    queueAttempt = await attemptAt(db.db, { claimId: claim2, at: '2026-03-05T10:00:00Z', outcome: 'declined' });
    await insertEvidence(db.db, {
      complaint_id: queuedId,
      kind: 'none_yet',
      is_advocacy: false,
      source: 'followup',
      recorded_by: EXEC_2,
    });
  });
  afterAll(async () => {
    await db.close();
  });

  const march = { from: '2026-03-01', to: '2026-03-06', timezone: 'UTC' };

  it('exports one row per attempt with the complaint, the executive, the outcome, the advocacy and the action it opened', async () => {
    const rows = await collect(exportAttempts(db.db, { ...march, includePii: false }));
    expect(rows.map((r) => r.attempt_id)).toEqual([reachedAttempt - 1, reachedAttempt, queueAttempt]);
    expect(rows[1]).toEqual({
      attempt_id: reachedAttempt,
      attempted_at: '2026-03-04T14:00:00.000Z',
      executive: EXEC_1,
      outcome: 'reached',
      notes: 'Refund sent; they were gracious.',
      follow_up_date: '2026-03-17',
      advocate_assessment: 'advocate',
      ok_to_quote: true,
      claim_id: expect.any(Number),
      claimed_at: '2026-03-03T15:00:00.000Z',
      complaint_id: pickedId,
      source: 'zendesk',
      external_id: 'Z-1',
      subject: 'Billed three times, call me on [phone]',
      priority: 'urgent',
      company: 'Analytical Engines',
      received_at: '2026-03-02T12:00:00.000Z',
      picked_on: '2026-03-03',
      is_advocate: true,
      evidence_kinds: 'executive_assessment;survey_promoter',
      action_id: expect.any(Number),
      action_description: 'Refund triple charges automatically; confirm on [phone]',
      action_theme: 'billing',
      action_owner: EXEC_2,
      action_status: 'done',
      action_due_date: '2026-03-20',
      action_closed_at: '2026-03-10T09:00:00.000Z',
    });
    expect(rows[2]).toMatchObject({
      outcome: 'declined',
      executive: EXEC_2,
      picked_on: null,
      company: null,
      is_advocate: false,
      evidence_kinds: 'none_yet',
      ok_to_quote: false,
      // A call that opened no action has every action column empty.
      action_id: null,
      action_description: null,
      action_theme: null,
      action_owner: null,
      action_status: null,
      action_due_date: null,
      action_closed_at: null,
    });
  });

  it('leaves contact details out without includePii: no columns, and none typed into notes or the subject', async () => {
    const rows = await collect(exportAttempts(db.db, { ...march, includePii: false }));
    for (const row of rows) expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS]);
    const all = JSON.stringify(rows);
    for (const secret of [PHONE, EMAIL, '555-0123', '+442071234567', 'grace@example.org', 'Ada Lovelace']) {
      expect(all).not.toContain(secret);
    }
    expect(rows[0]?.notes).toBe('No answer on [phone]; wrote to [email] instead. Ticket 20260303.');
  });

  it('adds the contact columns with includePii, and leaves notes and subject as written', async () => {
    const rows = await collect(exportAttempts(db.db, { ...march, includePii: true }));
    for (const row of rows) expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS, ...PII_COLUMNS]);
    expect(rows[0]).toMatchObject({ customer_name: 'Ada Lovelace', customer_phone: PHONE, customer_email: EMAIL });
    expect(rows[0]?.notes).toContain('(415) 555-0123');
    expect(rows[0]?.subject).toBe('Billed three times, call me on 415.555.0123');
    expect(rows[1]?.action_description).toBe('Refund triple charges automatically; confirm on 415.555.0123');
    expect(rows[2]).toMatchObject({ customer_phone: '+442071234567', customer_email: 'grace@example.org' });
  });

  it('takes the range as inclusive calendar days in the time zone, across a DST change', async () => {
    const tdb = await createTestDb();
    try {
      const c = await insertComplaint(tdb.db);
      const claim = await claimAt(tdb.db, c, EXEC_1, '2026-02-27T00:00:00Z');
      // New York: EST (UTC-5) until 2026-03-08 02:00, EDT (UTC-4) after.
      const at = {
        beforeStart: '2026-03-01T04:59:59Z', // Feb 28 23:59:59 local
        atStart: '2026-03-01T05:00:00Z', // Mar 1 00:00 local
        lastMoment: '2026-03-09T03:59:59Z', // Mar 8 23:59:59 EDT
        afterEnd: '2026-03-09T04:00:00Z', // Mar 9 00:00 EDT
      };
      const ids: Record<string, number> = {};
      for (const [name, when] of Object.entries(at)) {
        ids[name] = await attemptAt(tdb.db, { claimId: claim, at: when });
      }
      const ny = await collect(
        exportAttempts(tdb.db, {
          from: '2026-03-01',
          to: '2026-03-08',
          timezone: 'America/New_York',
          includePii: false,
        }),
      );
      expect(ny.map((r) => r.attempt_id)).toEqual([ids.atStart, ids.lastMoment]);
      // The same dates in UTC draw the line elsewhere.
      const utc = await collect(
        exportAttempts(tdb.db, { from: '2026-03-01', to: '2026-03-08', timezone: 'UTC', includePii: false }),
      );
      expect(utc.map((r) => r.attempt_id)).toEqual([ids.beforeStart, ids.atStart]);
      const oneDay = await collect(
        exportAttempts(tdb.db, {
          from: '2026-03-08',
          to: '2026-03-08',
          timezone: 'America/New_York',
          includePii: false,
        }),
      );
      expect(oneDay.map((r) => r.attempt_id)).toEqual([ids.lastMoment]);
    } finally {
      await tdb.close();
    }
  });

  it('refuses an unreal date or a range that ends before it starts', () => {
    expect(() => exportInterval('2026-02-30', '2026-03-01', 'UTC')).toThrow(/real/);
    expect(() => exportInterval('2026-03-02', '2026-03-01', 'UTC')).toThrow(/before it starts/);
    expect(exportInterval('2026-03-01', '2026-03-01', 'Europe/Paris')).toEqual({
      start: new Date('2026-02-28T23:00:00Z'),
      end: new Date('2026-03-01T23:00:00Z'),
    });
  });

  it(`pages through more than ${EXPORT_PAGE_SIZE} attempts, ${EXPORT_PAGE_SIZE} per query, none lost or repeated`, async () => {
    const tdb = await createTestDb();
    try {
      const c = await insertComplaint(tdb.db);
      const claim = await claimAt(tdb.db, c, EXEC_1, '2026-04-01T00:00:00Z');
      const total = 2 * EXPORT_PAGE_SIZE + 50;
      const base = Date.parse('2026-04-01T00:00:00Z');
      await tdb.db
        .insertInto('call_attempts')
        .values(
          Array.from({ length: total }, (_, i) => ({
            claim_id: claim,
            complaint_id: c,
            executive: EXEC_1,
            outcome: 'no_answer',
            notes: null,
            follow_up_date: null,
            advocate_assessment: null,
            // Spread over five days, and not in id order, so the keyset (id) and the range (time) differ.
            created_at: new Date(base + ((i * 7919) % total) * 200_000).toISOString(),
          })),
        )
        .execute();
      const counting = countingQueries(tdb.db);
      const rows = await collect(
        exportAttempts(counting.db, { from: '2026-04-01', to: '2026-04-30', timezone: 'UTC', includePii: false }),
      );
      expect(rows).toHaveLength(total);
      const ids = rows.map((r) => r.attempt_id);
      expect(new Set(ids).size).toBe(total);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(counting.count()).toBe(3);

      // A page size that divides the rows exactly still ends (with one empty page).
      const small = countingQueries(tdb.db);
      const some = await collect(
        exportAttempts(small.db, {
          from: '2026-04-01',
          to: '2026-04-01',
          timezone: 'UTC',
          includePii: false,
          pageSize: 1,
        }),
      );
      expect(some.length).toBeGreaterThan(0);
      expect(small.count()).toBe(some.length + 1);
    } finally {
      await tdb.close();
    }
  });
});
