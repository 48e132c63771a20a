import { type Kysely, sql } from 'kysely';
import type { Database, NewComplaintRow } from '../../src/db/schema';
import { type ComplaintOverrides, insertAction, insertComplaint } from '../helpers/factories';

/** Rows for the digest tests, written directly with explicit timestamps so every figure is known in advance. */
type Db = Kysely<Database>;

/** Empties every table the digest reads or writes. */
export async function resetDigestTables(db: Db): Promise<void> {
  await sql`TRUNCATE audit_log, outbox, digests, executive_away, complaints, draw_seeds CASCADE`.execute(db);
}

/** A major complaint that arrived at `createdAt`. */
export function seedComplaint(
  db: Db,
  createdAt: string,
  overrides: ComplaintOverrides = {},
  row: Partial<NewComplaintRow> = {},
): Promise<number> {
  return insertComplaint(db, overrides, { created_at: createdAt, received_at: createdAt, ...row });
}

/** The pick of `date` (one per date), drawn at `createdAt`. */
export async function seedPick(db: Db, date: string, complaintId: number, createdAt: string): Promise<void> {
  await db
    .insertInto('picks')
    .values({
      pick_date: date,
      complaint_id: complaintId,
      pool_size: 3,
      drawn_index: 0,
      pool_hash: 'seed',
      trigger: 'test',
      created_at: createdAt,
    })
    .execute();
}

/** A claim; `releasedAt` makes it a released one. */
export async function seedClaim(
  db: Db,
  complaintId: number,
  by: string,
  claimedAt: string,
  releasedAt?: string,
): Promise<number> {
  const { id } = await db
    .insertInto('claims')
    .values({
      complaint_id: complaintId,
      claimed_by: by,
      claimed_at: claimedAt,
      status: releasedAt ? 'released' : 'open',
      released_at: releasedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A call attempt on a claim. */
export async function seedAttempt(
  db: Db,
  claim: { id: number; complaintId: number; executive: string },
  outcome: string,
  createdAt: string,
  note?: { notes: string; okToQuote: boolean },
): Promise<void> {
  await db
    .insertInto('call_attempts')
    .values({
      claim_id: claim.id,
      complaint_id: claim.complaintId,
      executive: claim.executive,
      outcome,
      notes: note?.notes ?? null,
      ok_to_quote: note?.okToQuote ?? false,
      created_at: createdAt,
    })
    .execute();
}

/** One piece of advocacy evidence. */
export async function seedEvidence(
  db: Db,
  complaintId: number,
  kind: string,
  isAdvocacy: boolean,
  createdAt: string,
  recordedBy: string | null = null,
): Promise<void> {
  await db
    .insertInto('advocacy_evidence')
    .values({
      complaint_id: complaintId,
      kind,
      is_advocacy: isAdvocacy,
      source: recordedBy ? 'executive' : 'survey',
      recorded_by: recordedBy,
      created_at: createdAt,
    })
    .execute();
}

/** The executives of the seeded week: two who took part and one who never calls. */
export const SEED_EXECS = { one: 'UEXEC0001', two: 'UEXEC0002', never: 'UEXEC0009' } as const;
/** A support lead who escalated one complaint. */
export const SEED_LEAD = 'ULEAD0001';
/** The Monday of the seeded week; TIMEZONE is America/New_York (UTC-5 in November). */
export const SEED_WEEK = '2026-11-16';
/** Contact details that appear in the seeded week's notes and subjects and must never reach Slack. */
export const SEED_SECRETS = {
  phone: '+14155550199',
  notePhone: '+1 415 555 0199',
  email: 'ada@example.com',
  subjectEmail: 'bob@example.org',
} as const;

/**
 * A week with a known answer for every figure (times are UTC; New York is UTC-5 that week, so the week runs
 * 2026-11-16T05:00Z to 2026-11-23T05:00Z):
 * - received 4 (c1 escalated, c2, c3, c4 at 23:30 Sunday local); c5 (00:30 Monday local), c6 (23:30 the Sunday
 *   before) and a non-major one fall outside or do not count;
 * - picked 4 (c1, c2, c3, c8); claimed 3 (c1, c2, c8); first attempt 2 (c1, c2; c0's first was earlier);
 *   reached 3 (c1, c2, c0); advocates 1 (c1: executive assessment and referral; c0's first evidence was earlier);
 * - pick → claim 2 h, 4 h, 1 h (median 2 h); claim → first attempt 21 h, 5 h (median 13 h);
 * - EXEC one: 2 claims, 4 attempts, 3 reached, 1 advocate; EXEC two: 2 claims and no attempts (one 35 days ago);
 * - unclaimed: c3 (never claimed) and c8 (claimed, then released);
 * - the quote is c1's reached note, with name, company, phone and email removed;
 * - trend (weeks of Oct 26, Nov 2, Nov 9, Nov 16): picked 0/1/0/4, reached 0/0/0/3, advocates 0/0/1/1.
 */
export async function seedKnownWeek(db: Db) {
  const { one, two } = SEED_EXECS;
  const c0 = await seedComplaint(db, '2026-11-02T15:00:00Z');
  const c1 = await seedComplaint(
    db,
    '2026-11-16T14:00:00Z',
    {
      subject: 'Invoices doubled',
      customer: {
        name: 'Ada Lovelace',
        company: 'Analytical Engines',
        phone: SEED_SECRETS.phone,
        email: SEED_SECRETS.email,
      },
    },
    { escalated_by: SEED_LEAD },
  );
  const c2 = await seedComplaint(db, '2026-11-17T15:00:00Z');
  const c3 = await seedComplaint(db, '2026-11-18T16:00:00Z', {
    subject: `Export broken <!channel> write to ${SEED_SECRETS.subjectEmail}`,
    url: 'https://help.example.com/tickets/12345678',
  });
  const c4 = await seedComplaint(db, '2026-11-23T04:30:00Z');
  const c5 = await seedComplaint(db, '2026-11-23T05:30:00Z');
  const c6 = await seedComplaint(db, '2026-11-16T04:30:00Z');
  await seedComplaint(db, '2026-11-18T12:00:00Z', {}, { is_major: false });
  const c8 = await seedComplaint(db, '2026-11-10T12:00:00Z', {
    subject: 'Released and waiting',
    url: `https://help.example.com/search?requester=${SEED_SECRETS.subjectEmail}`,
  });

  await seedPick(db, '2026-11-05', c0, '2026-11-05T13:00:00Z');
  await seedPick(db, '2026-11-16', c1, '2026-11-16T15:00:00Z');
  await seedPick(db, '2026-11-17', c2, '2026-11-17T15:00:00Z');
  await seedPick(db, '2026-11-18', c3, '2026-11-18T15:00:00Z');
  await seedPick(db, '2026-11-19', c8, '2026-11-19T15:00:00Z');

  const cl0 = await seedClaim(db, c0, one, '2026-11-05T14:00:00Z');
  const cl1 = await seedClaim(db, c1, one, '2026-11-16T17:00:00Z');
  await seedClaim(db, c2, two, '2026-11-17T19:00:00Z', '2026-11-17T20:00:00Z');
  const cl2b = await seedClaim(db, c2, one, '2026-11-18T15:00:00Z');
  await seedClaim(db, c8, two, '2026-11-19T16:00:00Z', '2026-11-19T17:00:00Z');
  const cl9 = await seedClaim(db, c6, two, '2026-10-15T10:00:00Z', '2026-10-20T10:00:00Z');

  const claim0 = { id: cl0, complaintId: c0, executive: one };
  const claim1 = { id: cl1, complaintId: c1, executive: one };
  const claim2 = { id: cl2b, complaintId: c2, executive: one };
  await seedAttempt(db, claim0, 'voicemail', '2026-11-05T15:00:00Z');
  await seedAttempt(db, claim0, 'reached', '2026-11-19T15:00:00Z');
  await seedAttempt(db, claim1, 'no_answer', '2026-11-17T14:00:00Z');
  await seedAttempt(db, claim1, 'reached', '2026-11-18T14:00:00Z', {
    notes: `Ada said the fix saved her team at Analytical Engines; call her at ${SEED_SECRETS.notePhone} or ${SEED_SECRETS.email}.`,
    okToQuote: true,
  });
  await seedAttempt(db, claim2, 'reached', '2026-11-18T20:00:00Z', {
    notes: 'Grumpy, not for sharing.',
    okToQuote: false,
  });
  await seedAttempt(db, claim1, 'reached', '2026-11-23T06:00:00Z', { notes: 'Next week already.', okToQuote: true });
  // EXEC two called 35 days before the week ended: not within 30 days, so still "quiet".
  await seedAttempt(db, { id: cl9, complaintId: c6, executive: two }, 'no_answer', '2026-10-19T10:00:00Z');

  await seedEvidence(db, c0, 'positive_review', true, '2026-11-10T12:00:00Z', one);
  await seedEvidence(db, c0, 'testimonial', true, '2026-11-19T12:00:00Z', one);
  await seedEvidence(db, c1, 'executive_assessment', true, '2026-11-18T14:05:00Z', one);
  await seedEvidence(db, c1, 'referral', true, '2026-11-20T10:00:00Z', one);
  await seedEvidence(db, c2, 'survey_detractor', false, '2026-11-19T12:00:00Z');
  return { c0, c1, c2, c3, c4, c5, c6, c8 };
}

/** The themes the seeded actions' digest is asked about (the outcome modal's list). */
export const SEED_THEMES = ['billing', 'support process', 'delivery', 'product'] as const;

/**
 * Actions on the seeded week's complaints (call seedKnownWeek first), with a known answer for each action figure of
 * the week of SEED_WEEK (it ends 2026-11-23T05:00Z, Monday 00:00 in New York):
 * - opened 4: a1 (Billing, EXEC one, due Nov 20, still open), a4 (delivery, won't do), a5 (support process, EXEC
 *   two, due Nov 30) and a3 (BILLING, on c4, at 23:40 Sunday local); a2 was opened the week before;
 * - done 1: a2 (billing, EXEC two, on c2, done Nov 19 12:00Z); overdue 1: a1;
 * - did the fix hold: a2, with 1 new major complaint carrying billing since (c4, through a3);
 * - top themes over 90 days: billing 3 (c1, c2, c4), delivery 1 (c3), support process 1 (c2);
 * - a1's description carries the customer's phone and email, which must never reach the digest.
 */
export async function seedKnownActions(db: Db, ids: { c1: number; c2: number; c3: number; c4: number }) {
  const { one, two } = SEED_EXECS;
  const a1 = await insertAction(db, {
    complaint_id: ids.c1,
    description: `Refund double invoices at once; confirm with Ada on ${SEED_SECRETS.notePhone} or ${SEED_SECRETS.email}`,
    theme: 'Billing',
    owner_id: one,
    requested_by: one,
    due_date: '2026-11-20',
    created_at: '2026-11-18T14:00:00Z',
  });
  const a2 = await insertAction(db, {
    complaint_id: ids.c2,
    description: 'Stop charging twice on plan changes',
    theme: 'billing',
    owner_id: two,
    requested_by: one,
    created_at: '2026-11-10T12:00:00Z',
    status: 'done',
    closed_by: two,
    closed_at: '2026-11-19T12:00:00Z',
  });
  const a3 = await insertAction(db, {
    complaint_id: ids.c4,
    description: 'Invoice emails must name the plan',
    theme: 'BILLING',
    owner_id: one,
    requested_by: one,
    created_at: '2026-11-23T04:40:00Z',
  });
  const a4 = await insertAction(db, {
    complaint_id: ids.c3,
    description: 'Ship exports by courier',
    theme: 'delivery',
    owner_id: one,
    requested_by: one,
    created_at: '2026-11-18T17:00:00Z',
    status: 'wont_do',
    close_reason: 'Exports are files',
    closed_by: one,
    closed_at: '2026-11-18T18:00:00Z',
  });
  const a5 = await insertAction(db, {
    complaint_id: ids.c2,
    description: 'Escalations need a named owner',
    theme: 'support process',
    owner_id: two,
    requested_by: one,
    due_date: '2026-11-30',
    created_at: '2026-11-17T20:00:00Z',
  });
  return { a1: a1.id, a2: a2.id, a3: a3.id, a4: a4.id, a5: a5.id };
}
