import type { Kysely, Transaction } from 'kysely';
import type { ClaimRow, Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

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

/** Open claims of one executive, oldest first, with their complaints. */
export async function listOpenClaimsBy(db: Db, userId: string, limit: number) {
  return db
    .selectFrom('claims')
    .innerJoin('complaints', 'complaints.id', 'claims.complaint_id')
    .select([
      'claims.id as claim_id',
      'claims.claimed_at',
      'complaints.id as complaint_id',
      'complaints.subject',
      'complaints.customer_company',
      'complaints.customer_name',
      'complaints.ticket_url',
      (eb) =>
        eb
          .selectFrom('call_attempts')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('call_attempts.claim_id', '=', 'claims.id')
          .as('attempts'),
    ])
    .where('claims.claimed_by', '=', userId)
    .where('claims.status', '=', 'open')
    .orderBy('claims.claimed_at')
    .limit(limit)
    .execute();
}

/** Inserts one call attempt. */
export async function insertAttempt(
  db: Db,
  row: {
    claim_id: number;
    complaint_id: number;
    executive: string;
    outcome: string;
    notes: string | null;
    follow_up_date: string | null;
    advocate_assessment: string | null;
    ok_to_quote: boolean;
  },
): Promise<number> {
  const { id } = await db.insertInto('call_attempts').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** True when someone reached this complaint's customer. */
export async function hasReachedCall(db: Db, complaintId: number): Promise<boolean> {
  const row = await db
    .selectFrom('call_attempts')
    .select('id')
    .where('complaint_id', '=', complaintId)
    .where('outcome', '=', 'reached')
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts one piece of advocacy evidence. */
export async function insertEvidence(
  db: Db,
  row: {
    complaint_id: number;
    kind: string;
    is_advocacy: boolean;
    source: 'executive' | 'followup' | 'survey';
    recorded_by: string | null;
    score?: number | null;
    note?: string | null;
  },
): Promise<number> {
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
