import { type Expression, expressionBuilder } from 'kysely';
import { hasAdvocacyEvidence, isReachedAttempt, selectReachedCalls } from '../calls/call.repository';
import { selectOpenClaimsOf } from '../calls/claim.repository';
import type { ComplaintRow, Database, Db } from '../db/schema';

/**
 * The complaint columns (of `complaints as c`) that App Home shows. The phone and email are read so that the view
 * can redact them from the complaint's text; only an executive's own open claims show them.
 */
const HOME_COMPLAINT_COLUMNS = [
  'c.subject',
  'c.customer_name',
  'c.customer_company',
  'c.customer_phone',
  'c.customer_email',
  'c.source',
  'c.external_id',
  'c.ticket_url',
  'c.priority',
  'c.received_at',
] as const;

/** A complaint's columns as App Home reads them (see HOME_COMPLAINT_COLUMNS). */
export type HomeComplaintRow = Pick<
  ComplaintRow,
  (typeof HOME_COMPLAINT_COLUMNS)[number] extends `c.${infer Column extends keyof ComplaintRow}` ? Column : never
>;

/** Builds the correlated subqueries below, outside any one query. */
const builder = expressionBuilder<Database>();

/** The latest call that reached the complaint's customer (aliased `reached_call`), to select a column of. */
function latestReachedCall(complaintId: Expression<number | null>) {
  return selectReachedCalls(complaintId).orderBy('reached_call.id', 'desc').limit(1);
}

/** The complaint's latest call attempt, whatever its outcome (aliased `last_attempt`), to select a column of. */
function latestAttempt(complaintId: Expression<number | null>) {
  return builder
    .selectFrom('call_attempts as last_attempt')
    .where('last_attempt.complaint_id', '=', complaintId)
    .orderBy('last_attempt.id', 'desc')
    .limit(1);
}

/** The pick for a date (YYYY-MM-DD) with its complaint, who holds it now and who reached the customer, if anyone. */
export async function findPickWithStatus(db: Db, date: string) {
  return db
    .selectFrom('picks as p')
    .leftJoin('complaints as c', 'c.id', 'p.complaint_id')
    .leftJoin('claims as cl', (join) => join.onRef('cl.complaint_id', '=', 'c.id').on('cl.status', '=', 'open'))
    .select((eb) => [
      'p.pick_date',
      'p.pool_size',
      'c.id as complaint_id',
      ...HOME_COMPLAINT_COLUMNS,
      'c.closed_at',
      'c.do_not_call',
      'cl.claimed_by',
      latestReachedCall(eb.ref('c.id')).select('reached_call.executive').as('reached_by'),
    ])
    .where('p.pick_date', '=', date)
    .executeTakeFirst();
}

/**
 * One executive's open claims, oldest first, with the customer's contact details: only for the claimer's own
 * App Home, which the contract allows to show them.
 */
export async function listOpenClaimsWithContacts(db: Db, userId: string, limit: number) {
  return selectOpenClaimsOf(db, userId).select(HOME_COMPLAINT_COLUMNS).limit(limit).execute();
}

/** How many open claims an executive holds. */
export async function countOpenClaims(db: Db, userId: string): Promise<number> {
  const { n } = await db
    .selectFrom('claims')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('claimed_by', '=', userId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** An executive's most recent call attempts, newest first, with the complaint's subject. */
export async function listRecentAttemptsBy(db: Db, userId: string, limit: number) {
  return db
    .selectFrom('call_attempts as a')
    .innerJoin('complaints as c', 'c.id', 'a.complaint_id')
    .select(['a.id', 'a.created_at', 'a.outcome', 'a.advocate_assessment', 'c.subject'])
    .where('a.executive', '=', userId)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
}

/** How many call attempts an executive has logged, ever. */
export async function countAttemptsBy(db: Db, userId: string): Promise<number> {
  const { n } = await db
    .selectFrom('call_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('executive', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * An executive's numbers since `since`: claims made, attempts logged, customers reached, and of those reached
 * how many have shown advocacy evidence (at any time, since evidence usually comes weeks after the call).
 */
export async function countExecutiveActivity(db: Db, userId: string, since: Date) {
  const reachedSince = builder
    .selectFrom('call_attempts as a')
    .where('a.executive', '=', userId)
    .where(isReachedAttempt('a'))
    .where('a.created_at', '>=', since);
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('claims')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('claimed_by', '=', userId)
        .where('claimed_at', '>=', since)
        .as('claims'),
      eb
        .selectFrom('call_attempts')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('executive', '=', userId)
        .where('created_at', '>=', since)
        .as('attempts'),
      reachedSince.select((e) => e.fn.count<number>('a.complaint_id').distinct().as('n')).as('reached'),
      reachedSince
        .select((e) => e.fn.count<number>('a.complaint_id').distinct().as('n'))
        .where((e) => hasAdvocacyEvidence(e.ref('a.complaint_id')))
        .as('advocates'),
    ])
    .executeTakeFirstOrThrow();
  return {
    claims: Number(row.claims ?? 0),
    attempts: Number(row.attempts ?? 0),
    reached: Number(row.reached ?? 0),
    advocates: Number(row.advocates ?? 0),
  };
}

/**
 * A support lead's escalations, newest first, with everything needed to say what became of each: its pick,
 * its open claim, who reached the customer, the latest attempt, and whether any evidence shows an advocate.
 */
export async function listEscalationsBy(db: Db, userId: string, limit: number) {
  return db
    .selectFrom('complaints as c')
    .leftJoin('picks as p', 'p.complaint_id', 'c.id')
    .leftJoin('claims as cl', (join) => join.onRef('cl.complaint_id', '=', 'c.id').on('cl.status', '=', 'open'))
    .select((eb) => [
      'c.id',
      ...HOME_COMPLAINT_COLUMNS,
      'c.created_at',
      'c.do_not_call',
      'p.pick_date',
      'cl.claimed_by',
      latestReachedCall(eb.ref('c.id')).select('reached_call.executive').as('reached_by'),
      latestReachedCall(eb.ref('c.id')).select('reached_call.created_at').as('reached_at'),
      latestAttempt(eb.ref('c.id')).select('last_attempt.executive').as('last_attempt_by'),
      latestAttempt(eb.ref('c.id')).select('last_attempt.outcome').as('last_outcome'),
      hasAdvocacyEvidence(eb.ref('c.id')).as('is_advocate'),
    ])
    .where('c.escalated_by', '=', userId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
}

/** How many complaints a support lead has escalated. */
export async function countEscalationsBy(db: Db, userId: string): Promise<number> {
  const { n } = await db
    .selectFrom('complaints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('escalated_by', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(n);
}
