import type { Insertable } from 'kysely';
import type { AdvocacyEvidenceTable, CallAttemptsTable, ClaimRow, Db } from '../db/schema';
import { customerWasReached } from './call.repository';

/**
 * Inserts an open claim unless one exists: the partial unique index makes the first click the only winner,
 * however many arrive at once. Returns the new claim, or undefined when someone else holds it.
 */
export async function insertOpenClaim(db: Db, complaintId: number, userId: string): Promise<ClaimRow | undefined> {
  return db
    .insertInto('claims')
    .values({ complaint_id: complaintId, claimed_by: userId })
    .onConflict((oc) => oc.column('complaint_id').where('status', '=', 'open').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The open claim on a complaint, if any. */
export async function findOpenClaim(db: Db, complaintId: number): Promise<ClaimRow | undefined> {
  return db
    .selectFrom('claims')
    .selectAll()
    .where('complaint_id', '=', complaintId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

/** One claim by id. */
export async function findClaimById(db: Db, id: number): Promise<ClaimRow | undefined> {
  return db.selectFrom('claims').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Releases an open claim held by `userId` at `now`; returns it, or undefined when it was not theirs or not open. */
export async function releaseOpenClaim(
  db: Db,
  id: number,
  userId: string,
  reason: string,
  now: Date,
): Promise<ClaimRow | undefined> {
  return db
    .updateTable('claims')
    .set({ status: 'released', released_at: now, release_reason: reason })
    .where('id', '=', id)
    .where('claimed_by', '=', userId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
}

/** Closes a claim at `now`, once its last call is logged. */
export async function closeClaim(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('claims').set({ status: 'closed', closed_at: now }).where('id', '=', id).execute();
}

/**
 * One executive's open claims joined to their complaints (aliased `cl` and `c`), oldest first, each with its claim
 * id, complaint id and count of attempts: a query the caller selects the complaint's columns from.
 */
export function selectOpenClaimsOf(db: Db, userId: string) {
  return db
    .selectFrom('claims as cl')
    .innerJoin('complaints as c', 'c.id', 'cl.complaint_id')
    .select((eb) => [
      'cl.id as claim_id',
      'cl.claimed_at',
      'c.id as complaint_id',
      eb
        .selectFrom('call_attempts as a')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('a.claim_id', '=', 'cl.id')
        .as('attempts'),
    ])
    .where('cl.claimed_by', '=', userId)
    .where('cl.status', '=', 'open')
    .orderBy('cl.claimed_at')
    .orderBy('cl.id');
}

/** Open claims of one executive, oldest first, with their complaints. */
export async function listOpenClaimsBy(db: Db, userId: string, limit: number) {
  return selectOpenClaimsOf(db, userId)
    .select(['c.subject', 'c.customer_company', 'c.customer_name', 'c.ticket_url'])
    .limit(limit)
    .execute();
}

/** Inserts one call attempt. */
export async function insertAttempt(db: Db, row: Insertable<CallAttemptsTable>): Promise<number> {
  const { id } = await db.insertInto('call_attempts').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** True when someone reached this complaint's customer. */
export async function hasReachedCall(db: Db, complaintId: number): Promise<boolean> {
  const row = await db
    .selectNoFrom((eb) => customerWasReached(eb.val(complaintId)).as('reached'))
    .executeTakeFirstOrThrow();
  return Boolean(row.reached);
}

/** Inserts one piece of advocacy evidence. */
export async function insertEvidence(db: Db, row: Insertable<AdvocacyEvidenceTable>): Promise<number> {
  const { id } = await db.insertInto('advocacy_evidence').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** The executive who last held a claim on the complaint (for survey news and follow-ups). */
export async function findLatestClaimer(db: Db, complaintId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('claims')
    .select('claimed_by')
    .where('complaint_id', '=', complaintId)
    .orderBy('claimed_at', 'desc')
    .executeTakeFirst();
  return row?.claimed_by;
}
