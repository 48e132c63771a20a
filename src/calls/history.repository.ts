import { sql } from 'kysely';
import type { Db } from '../db/schema';

/** One call on a complaint of the customer's history, as json_agg returns it (`at` is an ISO 8601 string). */
export interface HistoryCallRow {
  executive: string;
  outcome: string;
  assessment: string | null;
  at: string;
}

/** One survey score on a complaint of the customer's history (`at` is an ISO 8601 string). */
export interface HistorySurveyRow {
  score: number;
  at: string;
}

/** A complaint of the customer's history: the one being called about, or an earlier one. */
export interface HistoryRow {
  id: number;
  is_current: boolean;
  /** How an earlier complaint was found to be this customer's; null for the current one. */
  matched_by: 'email' | 'phone' | 'company' | null;
  received_at: Date;
  subject: string;
  source: string;
  external_id: string;
  ticket_url: string | null;
  closed_at: Date | null;
  /** Newest first. */
  calls: HistoryCallRow[];
  /** Newest first. */
  surveys: HistorySurveyRow[];
  /** How many earlier complaints there are in all, beyond the `limit` returned. */
  earlier_total: string | number;
}

/**
 * The customer's history around complaint `complaintId`, in one query: that complaint, and the newest `limit` earlier
 * complaints from the same customer (same email, ignoring case; same phone in E.164; or same company, ignoring case),
 * each with its executive calls and survey scores. Erased complaints are left out. The current complaint comes first,
 * then the earlier ones, newest first.
 */
export async function findCustomerHistory(db: Db, complaintId: number, limit: number): Promise<HistoryRow[]> {
  // Two arms of a UNION rather than one OR with `c.id = me.id`: the earlier arm is then a BitmapOr of the email,
  // phone and company indexes, whatever the size of the table.
  const result = await sql<HistoryRow>`
    WITH me AS (
      SELECT id, received_at, lower(customer_email) AS email, customer_phone_e164 AS phone,
             lower(customer_company) AS company
      FROM complaints WHERE id = ${complaintId}
    ),
    related AS (
      SELECT c.id, true AS is_current, NULL::text AS matched_by, c.received_at, c.subject, c.source, c.external_id,
             c.ticket_url, c.closed_at
      FROM complaints c JOIN me ON c.id = me.id
      UNION ALL
      SELECT c.id, false, CASE WHEN lower(c.customer_email) = me.email THEN 'email'
                               WHEN c.customer_phone_e164 = me.phone THEN 'phone'
                               ELSE 'company' END,
             c.received_at, c.subject, c.source, c.external_id, c.ticket_url, c.closed_at
      FROM complaints c CROSS JOIN me
      WHERE c.pii_erased_at IS NULL
        AND (c.received_at, c.id) < (me.received_at, me.id)
        AND (lower(c.customer_email) = me.email OR c.customer_phone_e164 = me.phone
             OR lower(c.customer_company) = me.company)
    ),
    ranked AS (
      SELECT r.*,
             count(*) FILTER (WHERE NOT r.is_current) OVER () AS earlier_total,
             row_number() OVER (PARTITION BY r.is_current ORDER BY r.received_at DESC, r.id DESC) AS n
      FROM related r
    )
    SELECT ranked.id, ranked.is_current, ranked.matched_by, ranked.received_at, ranked.subject, ranked.source,
           ranked.external_id, ranked.ticket_url, ranked.closed_at, ranked.earlier_total,
           coalesce((
             SELECT json_agg(json_build_object('executive', a.executive, 'outcome', a.outcome,
                                               'assessment', a.advocate_assessment, 'at', a.created_at)
                             ORDER BY a.created_at DESC, a.id DESC)
             FROM call_attempts a WHERE a.complaint_id = ranked.id), '[]'::json) AS calls,
           coalesce((
             SELECT json_agg(json_build_object('score', e.score, 'at', e.created_at) ORDER BY e.created_at DESC, e.id DESC)
             FROM advocacy_evidence e
             WHERE e.complaint_id = ranked.id AND e.source = 'survey' AND e.score IS NOT NULL), '[]'::json) AS surveys
    FROM ranked
    WHERE ranked.is_current OR ranked.n <= ${limit}
    ORDER BY ranked.is_current DESC, ranked.received_at DESC, ranked.id DESC`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id) }));
}
