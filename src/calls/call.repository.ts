import { type Expression, expressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema';

/**
 * SQL expressions about calls that several repositories put in their queries: "a call reached this customer" and
 * "there is advocacy evidence". Each is written once here, so the pick's eligibility, App Home, the digest and the
 * advocacy rules cannot drift apart. The subqueries use aliases of their own (`reached_call`, `advocacy`), so the
 * complaint id passed in may come from an outer `call_attempts as a` without being captured.
 */
const eb = expressionBuilder<Database>();

/**
 * "This call attempt reached the customer", for the call_attempts row aliased `attempt`. Spelled exactly like the
 * predicate of the partial index call_attempts_reached_idx, with no parameter, so the planner can always use it.
 */
export function isReachedAttempt(attempt: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${attempt}.outcome`)} = 'reached'`;
}

/** The calls that reached one complaint's customer (aliased `reached_call`), as a subquery to select from. */
export function selectReachedCalls(complaintId: Expression<number | null>) {
  return eb
    .selectFrom('call_attempts as reached_call')
    .where('reached_call.complaint_id', '=', complaintId)
    .where(isReachedAttempt('reached_call'));
}

/** True when a call reached the complaint's customer: an attempt on it has the outcome 'reached'. */
export function customerWasReached(complaintId: Expression<number | null>) {
  return eb.exists(selectReachedCalls(complaintId).select('reached_call.id'));
}

/** True when some evidence (at any time) shows that the complaint's customer became an advocate. */
export function hasAdvocacyEvidence(complaintId: Expression<number | null>) {
  return eb.exists(
    eb
      .selectFrom('advocacy_evidence as advocacy')
      .select('advocacy.id')
      .where('advocacy.complaint_id', '=', complaintId)
      .where('advocacy.is_advocacy', '=', true),
  );
}
