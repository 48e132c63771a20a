import { sql } from 'kysely';
import type { Db } from '../db/schema';
import { hasAdvocacyEvidence } from './call.repository';

/**
 * One page of call attempts made in [interval.start, interval.end), with their claim, complaint, pick date,
 * advocacy evidence and the action the call opened (one at most: actions are unique per attempt): the attempts
 * after `afterId`, in id order, at most `limit` of them.
 */
export async function findAttemptExportPage(
  db: Db,
  interval: { start: Date; end: Date },
  afterId: number,
  limit: number,
) {
  return db
    .selectFrom('call_attempts as a')
    .innerJoin('claims as cl', 'cl.id', 'a.claim_id')
    .innerJoin('complaints as c', 'c.id', 'a.complaint_id')
    .leftJoin('picks as p', 'p.complaint_id', 'c.id')
    .leftJoin('actions as ac', 'ac.attempt_id', 'a.id')
    .select((eb) => [
      'a.id',
      'a.created_at',
      'a.executive',
      'a.outcome',
      'a.notes',
      'a.follow_up_date',
      'a.advocate_assessment',
      'a.ok_to_quote',
      'cl.id as claim_id',
      'cl.claimed_at',
      'c.id as complaint_id',
      'c.source',
      'c.external_id',
      'c.subject',
      'c.priority',
      'c.customer_company',
      'c.received_at',
      'c.customer_name',
      'c.customer_phone',
      'c.customer_email',
      'p.pick_date',
      hasAdvocacyEvidence(eb.ref('c.id')).as('is_advocate'),
      sql<string | null>`(SELECT string_agg(DISTINCT ev.kind, ';' ORDER BY ev.kind)
        FROM advocacy_evidence ev WHERE ev.complaint_id = c.id)`.as('evidence_kinds'),
      'ac.id as action_id',
      'ac.description as action_description',
      'ac.theme as action_theme',
      'ac.owner_id as action_owner',
      'ac.status as action_status',
      'ac.due_date as action_due_date',
      'ac.closed_at as action_closed_at',
    ])
    .where('a.created_at', '>=', interval.start)
    .where('a.created_at', '<', interval.end)
    .where('a.id', '>', afterId)
    .orderBy('a.id')
    .limit(limit)
    .execute();
}
