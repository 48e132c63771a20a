import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

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
      'c.subject',
      'c.customer_name',
      'c.customer_company',
      // Only so that the view can redact them from the subject; never shown.
      'c.customer_phone',
      'c.customer_email',
      'c.source',
      'c.external_id',
      'c.ticket_url',
      'c.priority',
      'c.received_at',
      'c.closed_at',
      'c.do_not_call',
      'cl.claimed_by',
      eb
        .selectFrom('call_attempts as a')
        .select('a.executive')
        .whereRef('a.complaint_id', '=', 'c.id')
        .where('a.outcome', '=', 'reached')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('reached_by'),
    ])
    .where('p.pick_date', '=', date)
    .executeTakeFirst();
}

/**
 * One executive's open claims, oldest first, with the customer's contact details: only for the claimer's own
 * App Home, which the contract allows to show them.
 */
export async function listOpenClaimsWithContacts(db: Db, userId: string, limit: number) {
  return db
    .selectFrom('claims as cl')
    .innerJoin('complaints as c', 'c.id', 'cl.complaint_id')
    .select((eb) => [
      'cl.id as claim_id',
      'cl.claimed_at',
      'c.id as complaint_id',
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
      eb
        .selectFrom('call_attempts as a')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('a.claim_id', '=', 'cl.id')
        .as('attempts'),
    ])
    .where('cl.claimed_by', '=', userId)
    .where('cl.status', '=', 'open')
    .orderBy('cl.claimed_at')
    .orderBy('cl.id')
    .limit(limit)
    .execute();
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
      eb
        .selectFrom('call_attempts')
        .select((e) => e.fn.count<number>('complaint_id').distinct().as('n'))
        .where('executive', '=', userId)
        .where('outcome', '=', 'reached')
        .where('created_at', '>=', since)
        .as('reached'),
      eb
        .selectFrom('call_attempts as a')
        .select((e) => e.fn.count<number>('a.complaint_id').distinct().as('n'))
        .where('a.executive', '=', userId)
        .where('a.outcome', '=', 'reached')
        .where('a.created_at', '>=', since)
        .where((e) =>
          e.exists(
            e
              .selectFrom('advocacy_evidence as ev')
              .select('ev.id')
              .whereRef('ev.complaint_id', '=', 'a.complaint_id')
              .where('ev.is_advocacy', '=', true),
          ),
        )
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
      'c.subject',
      'c.customer_name',
      'c.customer_company',
      // Only so that the view can redact them from the subject; never shown.
      'c.customer_phone',
      'c.customer_email',
      'c.source',
      'c.external_id',
      'c.ticket_url',
      'c.priority',
      'c.received_at',
      'c.created_at',
      'c.do_not_call',
      'p.pick_date',
      'cl.claimed_by',
      eb
        .selectFrom('call_attempts as a')
        .select('a.executive')
        .whereRef('a.complaint_id', '=', 'c.id')
        .where('a.outcome', '=', 'reached')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('reached_by'),
      eb
        .selectFrom('call_attempts as a')
        .select('a.created_at')
        .whereRef('a.complaint_id', '=', 'c.id')
        .where('a.outcome', '=', 'reached')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('reached_at'),
      eb
        .selectFrom('call_attempts as a')
        .select('a.executive')
        .whereRef('a.complaint_id', '=', 'c.id')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('last_attempt_by'),
      eb
        .selectFrom('call_attempts as a')
        .select('a.outcome')
        .whereRef('a.complaint_id', '=', 'c.id')
        .orderBy('a.id', 'desc')
        .limit(1)
        .as('last_outcome'),
      eb
        .exists(
          eb
            .selectFrom('advocacy_evidence as ev')
            .select('ev.id')
            .whereRef('ev.complaint_id', '=', 'c.id')
            .where('ev.is_advocacy', '=', true),
        )
        .as('is_advocate'),
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
