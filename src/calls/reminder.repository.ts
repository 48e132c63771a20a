import type { CallAttemptRow, ClaimRow, ComplaintRow, Db, PickRow } from '../db/schema';

/** A pick nobody has claimed: what the unclaimed reminder needs to find its post and name a suggestion. */
export type UnclaimedPickRow = Pick<PickRow, 'id' | 'pick_date' | 'suggested_exec'>;

/**
 * Picks with a complaint, made within [createdSince, createdBefore], whose complaint has no open or closed claim
 * (a released claim leaves it up for grabs again).
 */
export async function findUnclaimedPicks(
  db: Db,
  window: { createdSince: Date; createdBefore: Date },
): Promise<UnclaimedPickRow[]> {
  return db
    .selectFrom('picks as p')
    .select(['p.id', 'p.pick_date', 'p.suggested_exec'])
    .where('p.complaint_id', 'is not', null)
    .where('p.created_at', '<=', window.createdBefore)
    .where('p.created_at', '>=', window.createdSince)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('claims as c')
            .select('c.id')
            .whereRef('c.complaint_id', '=', 'p.complaint_id')
            .where('c.status', 'in', ['open', 'closed']),
        ),
      ),
    )
    .execute();
}

/** An open claim with no call logged yet, and the subject its reminder names. */
export type IdleClaimRow = Pick<ClaimRow, 'id' | 'claimed_by'> & Pick<ComplaintRow, 'subject'>;

/** Open claims made at or before `claimedBefore` on which no call attempt was logged. */
export async function findIdleClaims(db: Db, claimedBefore: Date): Promise<IdleClaimRow[]> {
  return db
    .selectFrom('claims as c')
    .innerJoin('complaints as co', 'co.id', 'c.complaint_id')
    .select(['c.id', 'c.claimed_by', 'co.subject'])
    .where('c.status', '=', 'open')
    .where('c.claimed_at', '<=', claimedBefore)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('call_attempts as a').select('a.id').whereRef('a.claim_id', '=', 'c.id'))),
    )
    .execute();
}

/** The latest attempt on an open claim whose follow-up date has come, with who holds the claim. */
export type DueFollowUpRow = Pick<CallAttemptRow, 'id' | 'follow_up_date'> & {
  claim_id: ClaimRow['id'];
  claimed_by: ClaimRow['claimed_by'];
} & Pick<ComplaintRow, 'subject'>;

/** Open claims whose latest attempt set a follow-up date on or before `today` (YYYY-MM-DD). */
export async function findDueFollowUps(db: Db, today: string): Promise<DueFollowUpRow[]> {
  // The latest attempt of each open claim decides whether a follow-up is due.
  return db
    .selectFrom('call_attempts as a')
    .innerJoin('claims as c', 'c.id', 'a.claim_id')
    .innerJoin('complaints as co', 'co.id', 'a.complaint_id')
    .select(['a.id', 'a.follow_up_date', 'c.id as claim_id', 'c.claimed_by', 'co.subject'])
    .where('c.status', '=', 'open')
    .where('a.follow_up_date', '<=', today)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('call_attempts as later')
            .select('later.id')
            .whereRef('later.claim_id', '=', 'a.claim_id')
            .whereRef('later.id', '>', 'a.id'),
        ),
      ),
    )
    .execute();
}

/** A complaint whose customer was reached, with the executive who reached them. */
export type ReachedComplaintRow = ComplaintRow & Pick<CallAttemptRow, 'executive'>;

/**
 * Complaints (not erased) whose customer was reached within [reachedSince, reachedBefore] and for which no
 * follow-up evidence was recorded yet: one row per reached call.
 */
export async function findReachedAwaitingEvidence(
  db: Db,
  window: { reachedSince: Date; reachedBefore: Date },
): Promise<ReachedComplaintRow[]> {
  return db
    .selectFrom('call_attempts as a')
    .innerJoin('complaints as co', 'co.id', 'a.complaint_id')
    .selectAll('co')
    .select(['a.executive'])
    .where('a.outcome', '=', 'reached')
    .where('a.created_at', '<=', window.reachedBefore)
    .where('co.pii_erased_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('advocacy_evidence as e')
            .select('e.id')
            .whereRef('e.complaint_id', '=', 'a.complaint_id')
            .where('e.source', '=', 'followup'),
        ),
      ),
    )
    .where('a.created_at', '>=', window.reachedSince)
    .execute();
}
