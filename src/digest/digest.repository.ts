import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { redactText } from '../privacy/redact';
import {
  type ExecutiveActivity,
  LIST_LIMIT,
  type Metrics,
  type NewAdvocate,
  QUIET_DAYS,
  type Quote,
  type TrendPoint,
  type UnclaimedPick,
} from './digest';

type Db = Kysely<Database> | Transaction<Database>;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** One bucket of the trend; the digest passes zone-aware weeks, `/pickup stats` takes the 7-day default. */
export interface TrendBucket {
  start: Date;
  end: Date;
  label: string;
}

/** What {@link computeMetrics} measures over. */
export interface MetricsWindow {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** "Unclaimed" means unclaimed as of this instant, so a replay of an old week gives the same answer. */
  now: Date;
  /** Executives' user IDs (groups expanded): each appears in the per-executive list, and in `quiet` when due. */
  executives: readonly string[];
  /** The trend's buckets; by default the 4 weeks of 7 × 24 h ending at `to`. */
  trend?: readonly TrendBucket[];
}

const ts = (d: Date): RawBuilder<Date> => sql<Date>`${d.toISOString()}::timestamptz`;

/** The 4 weeks ending at `to`, each 7 × 24 hours, labelled with their first UTC day. */
export function defaultTrend(to: Date): TrendBucket[] {
  return [3, 2, 1, 0].map((i) => {
    const start = new Date(to.getTime() - (i + 1) * WEEK_MS);
    return { start, end: new Date(to.getTime() - i * WEEK_MS), label: start.toISOString().slice(0, 10) };
  });
}

/**
 * Every figure of the digest and `/pickup stats` for a window, in seven indexed queries (each a range scan on a
 * created_at-style index plus per-complaint index probes), so it stays fast at a million complaints.
 * Customer text is stripped of anything that looks like an email or phone number before it leaves here.
 */
export async function computeMetrics(db: Db, window: MetricsWindow): Promise<Metrics> {
  const { from, to, now } = window;
  if (to.getTime() <= from.getTime()) throw new Error('the metrics window must end after it starts');
  const F = ts(from);
  const T = ts(to);
  // Evidence row `e` is its complaint's first advocacy evidence ever: one probe of the per-complaint index.
  const isFirstAdvocacy = sql`e.id = (SELECT o.id FROM advocacy_evidence o WHERE o.complaint_id = e.complaint_id
                                      AND o.is_advocacy ORDER BY o.created_at, o.id LIMIT 1)`;

  const funnel = await sql<{
    received: number;
    escalated: number;
    picked: number;
    claimed: number;
    first_attempt: number;
    reached: number;
    advocates: number;
    pick_to_claim: number | null;
    claim_to_attempt: number | null;
  }>`
    SELECT
      r.received,
      r.escalated,
      (SELECT count(*) FROM picks p
        WHERE p.complaint_id IS NOT NULL AND p.created_at >= ${F} AND p.created_at < ${T}) AS picked,
      (SELECT count(DISTINCT cl.complaint_id) FROM claims cl
        WHERE cl.claimed_at >= ${F} AND cl.claimed_at < ${T}) AS claimed,
      -- "First ever" checks are scalar subqueries on purpose: each is one probe of a per-complaint (or per-claim)
      -- index for the rows in the window, where NOT EXISTS or DISTINCT let the planner hash or sort whole tables.
      (SELECT count(*) FROM call_attempts a
        WHERE a.created_at >= ${F} AND a.created_at < ${T}
          AND a.id = (SELECT b.id FROM call_attempts b WHERE b.complaint_id = a.complaint_id
                      ORDER BY b.created_at, b.id LIMIT 1)
      ) AS first_attempt,
      (SELECT count(DISTINCT a.complaint_id) FROM call_attempts a
        WHERE a.outcome = 'reached' AND a.created_at >= ${F} AND a.created_at < ${T}) AS reached,
      (SELECT count(*) FROM advocacy_evidence e
        WHERE e.is_advocacy AND e.created_at >= ${F} AND e.created_at < ${T} AND ${isFirstAdvocacy}
      ) AS advocates,
      -- Claims in the window that were the first claim after their complaint's pick. claims has no index on
      -- complaint_id, so the "first" check scans claimed_at between the pick and the claim (hours, usually).
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM cl.claimed_at - p.created_at)::float8 / 3600)
        FROM claims cl JOIN picks p ON p.complaint_id = cl.complaint_id
        WHERE cl.claimed_at >= ${F} AND cl.claimed_at < ${T} AND cl.claimed_at >= p.created_at
          AND cl.claimed_at = (SELECT min(c2.claimed_at) FROM claims c2
                               WHERE c2.complaint_id = cl.complaint_id
                                 AND c2.claimed_at >= p.created_at AND c2.claimed_at <= cl.claimed_at)
      ) AS pick_to_claim,
      -- Attempts in the window that were the first on their claim.
      (SELECT percentile_cont(0.5) WITHIN GROUP (
                ORDER BY extract(epoch FROM a.created_at - (SELECT cl.claimed_at FROM claims cl WHERE cl.id = a.claim_id))::float8 / 3600)
        FROM call_attempts a
        WHERE a.created_at >= ${F} AND a.created_at < ${T}
          AND a.id = (SELECT b.id FROM call_attempts b WHERE b.claim_id = a.claim_id ORDER BY b.created_at, b.id LIMIT 1)
      ) AS claim_to_attempt
    FROM (
      SELECT count(*) FILTER (WHERE c.is_major) AS received,
             count(*) FILTER (WHERE c.is_major AND c.escalated_by IS NOT NULL) AS escalated
      FROM complaints c WHERE c.created_at >= ${F} AND c.created_at < ${T}
    ) r`.execute(db);
  const f = funnel.rows[0];
  if (!f) throw new Error('the funnel query returned no row');

  // Complaints whose first advocacy evidence is in the window, credited to whoever last called the customer
  // (the survey webhook records no executive), or else to the executive who recorded it.
  const newAdvocates = sql`
    SELECT n.complaint_id, n.first_at,
      COALESCE((SELECT a.executive FROM call_attempts a
                WHERE a.complaint_id = n.complaint_id AND a.created_at < ${T}
                ORDER BY a.created_at DESC, a.id DESC LIMIT 1), n.recorded_by) AS executive
    FROM (
      SELECT e.complaint_id, e.created_at AS first_at, e.recorded_by
      FROM advocacy_evidence e
      WHERE e.is_advocacy AND e.created_at >= ${F} AND e.created_at < ${T} AND ${isFirstAdvocacy}
    ) n`;

  const activity = await sql<{
    executive: string;
    claims: number;
    attempts: number;
    reached: number;
    advocates: number;
  }>`
    WITH credited AS (${newAdvocates}),
    events AS (
      SELECT cl.claimed_by AS executive, 1 AS claims, 0 AS attempts,
             NULL::bigint AS reached_complaint, NULL::bigint AS advocate_complaint
      FROM claims cl WHERE cl.claimed_at >= ${F} AND cl.claimed_at < ${T}
      UNION ALL
      SELECT a.executive, 0, 1, CASE WHEN a.outcome = 'reached' THEN a.complaint_id END, NULL
      FROM call_attempts a WHERE a.created_at >= ${F} AND a.created_at < ${T}
      UNION ALL
      SELECT c.executive, 0, 0, NULL, c.complaint_id FROM credited c WHERE c.executive IS NOT NULL
    )
    SELECT executive, sum(claims) AS claims, sum(attempts) AS attempts,
           count(DISTINCT reached_complaint) AS reached, count(DISTINCT advocate_complaint) AS advocates
    FROM events GROUP BY executive`.execute(db);

  const quietSince = new Date(to.getTime() - QUIET_DAYS * DAY_MS);
  const recentCallers = await sql<{ executive: string }>`
    SELECT DISTINCT a.executive FROM call_attempts a
    WHERE a.created_at >= ${ts(quietSince)} AND a.created_at < ${T}
      AND a.executive = ANY(${[...window.executives]}::text[])`.execute(db);

  const unclaimed = await sql<{
    pick_date: string;
    complaint_id: number;
    subject: string;
    ticket_url: string | null;
    customer_email: string | null;
    customer_phone: string | null;
    total: number;
  }>`
    SELECT p.pick_date, c.id AS complaint_id, c.subject, c.ticket_url, c.customer_email, c.customer_phone,
           count(*) OVER () AS total
    FROM picks p JOIN complaints c ON c.id = p.complaint_id
    WHERE p.created_at >= ${F} AND p.created_at < ${T}
      -- Held at "now" by a claim made after the pick (an earlier claim from the queue was let go, or it could not
      -- have been picked). The redundant bound on F lets the planner read claims by claimed_at, not all of them.
      AND NOT EXISTS (SELECT 1 FROM claims cl
                      WHERE cl.complaint_id = p.complaint_id
                        AND cl.claimed_at >= p.created_at AND cl.claimed_at >= ${F} AND cl.claimed_at <= ${ts(now)}
                        AND (cl.released_at IS NULL OR cl.released_at > ${ts(now)}))
    ORDER BY p.pick_date, p.id
    LIMIT ${LIST_LIMIT}`.execute(db);

  const advocates = await sql<{
    complaint_id: number;
    customer_company: string | null;
    subject: string;
    customer_email: string | null;
    customer_phone: string | null;
    kinds: string[] | null;
  }>`
    SELECT c.id AS complaint_id, c.customer_company, c.subject, c.customer_email, c.customer_phone,
      (SELECT array_agg(DISTINCT e.kind ORDER BY e.kind) FROM advocacy_evidence e
       WHERE e.complaint_id = c.id AND e.is_advocacy AND e.created_at < ${T}) AS kinds
    FROM (${newAdvocates}) n JOIN complaints c ON c.id = n.complaint_id
    ORDER BY n.first_at, c.id
    LIMIT ${LIST_LIMIT}`.execute(db);

  const quote = await sql<{
    notes: string;
    executive: string;
    created_at: Date;
    customer_name: string | null;
    customer_company: string | null;
    customer_email: string | null;
    customer_phone: string | null;
  }>`
    SELECT a.notes, a.executive, a.created_at,
           c.customer_name, c.customer_company, c.customer_email, c.customer_phone
    FROM call_attempts a JOIN complaints c ON c.id = a.complaint_id
    WHERE a.ok_to_quote AND a.notes IS NOT NULL AND btrim(a.notes) <> ''
      AND a.created_at >= ${F} AND a.created_at < ${T}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT 1`.execute(db);

  const buckets = window.trend ?? defaultTrend(to);
  const trend = await sql<{ i: number; picked: number; reached: number; advocates: number }>`
    SELECT b.i,
      (SELECT count(*) FROM picks p
        WHERE p.complaint_id IS NOT NULL AND p.created_at >= b.s AND p.created_at < b.e) AS picked,
      (SELECT count(DISTINCT a.complaint_id) FROM call_attempts a
        WHERE a.outcome = 'reached' AND a.created_at >= b.s AND a.created_at < b.e) AS reached,
      (SELECT count(*) FROM advocacy_evidence e
        WHERE e.is_advocacy AND e.created_at >= b.s AND e.created_at < b.e AND ${isFirstAdvocacy}) AS advocates
    FROM unnest(${buckets.map((b) => b.start.toISOString())}::timestamptz[],
                ${buckets.map((b) => b.end.toISOString())}::timestamptz[]) WITH ORDINALITY AS b(s, e, i)
    ORDER BY b.i`.execute(db);

  const recent = new Set(recentCallers.rows.map((r) => r.executive));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    funnel: {
      received: Number(f.received),
      escalated: Number(f.escalated),
      picked: Number(f.picked),
      claimed: Number(f.claimed),
      firstAttempt: Number(f.first_attempt),
      reached: Number(f.reached),
      advocates: Number(f.advocates),
    },
    medians: {
      pickToClaimHours: f.pick_to_claim === null ? null : Number(f.pick_to_claim),
      claimToAttemptHours: f.claim_to_attempt === null ? null : Number(f.claim_to_attempt),
    },
    executives: mergeExecutives(window.executives, activity.rows),
    quiet: [...new Set(window.executives)].filter((u) => !recent.has(u)),
    unclaimed: unclaimed.rows.map(
      (r): UnclaimedPick => ({
        date: r.pick_date,
        complaintId: Number(r.complaint_id),
        subject: redactText(r.subject, contactsOf(r)),
        // A URL can carry an email address or a phone in its query; they are redacted like any text.
        ticketUrl: r.ticket_url === null ? null : redactText(r.ticket_url, contactsOf(r)),
      }),
    ),
    unclaimedTotal: Number(unclaimed.rows[0]?.total ?? 0),
    newAdvocates: advocates.rows.map(
      (r): NewAdvocate => ({
        complaintId: Number(r.complaint_id),
        company: r.customer_company === null ? null : redactText(r.customer_company, contactsOf(r)),
        subject: redactText(r.subject, contactsOf(r)),
        kinds: r.kinds ?? [],
      }),
    ),
    quote: toQuote(quote.rows[0]),
    trend: buckets.map((b, i): TrendPoint => {
      const row = trend.rows.find((r) => Number(r.i) === i + 1);
      return {
        label: b.label,
        picked: Number(row?.picked ?? 0),
        reached: Number(row?.reached ?? 0),
        advocates: Number(row?.advocates ?? 0),
      };
    }),
  };
}

/** Every configured executive (even with nothing this window) plus anyone else who acted; the busiest first. */
function mergeExecutives(
  executives: readonly string[],
  rows: readonly { executive: string; claims: number; attempts: number; reached: number; advocates: number }[],
): ExecutiveActivity[] {
  const byUser = new Map<string, ExecutiveActivity>(
    executives.map((userId) => [userId, { userId, claims: 0, attempts: 0, reached: 0, advocates: 0 }]),
  );
  for (const r of rows) {
    byUser.set(r.executive, {
      userId: r.executive,
      claims: Number(r.claims),
      attempts: Number(r.attempts),
      reached: Number(r.reached),
      advocates: Number(r.advocates),
    });
  }
  return [...byUser.values()].sort(
    (a, b) =>
      b.attempts - a.attempts ||
      b.claims - a.claims ||
      b.reached - a.reached ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
}

const contactsOf = (r: { customer_email: string | null; customer_phone: string | null }) => ({
  email: r.customer_email,
  phone: r.customer_phone,
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces whole-word occurrences of `needle`, so "Al" does not eat the middle of "Also". */
function replaceWord(text: string, needle: string, replacement: string, flags: string): string {
  return text.replace(
    new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(needle)}(?![\\p{L}\\p{N}])`, `gu${flags}`),
    replacement,
  );
}

/**
 * The shareable note, without the customer's own name, company, email or phone even when the executive typed
 * them in: the digest goes to a channel, and "ok to share" is about what was said, not who said it.
 */
function toQuote(
  row:
    | {
        notes: string;
        executive: string;
        created_at: Date;
        customer_name: string | null;
        customer_company: string | null;
        customer_email: string | null;
        customer_phone: string | null;
      }
    | undefined,
): Quote | null {
  if (!row) return null;
  let text = row.notes;
  text = redactText(text, contactsOf(row));
  if (row.customer_company?.trim()) text = replaceWord(text, row.customer_company.trim(), 'their company', 'i');
  if (row.customer_name?.trim()) {
    const name = row.customer_name.trim();
    text = replaceWord(text, name, 'the customer', 'i');
    // A first or last name alone, as written (capitalised), so ordinary words like "will" are left alone.
    for (const part of name.split(/\s+/).filter((p) => p.length >= 3))
      text = replaceWord(text, part, 'the customer', '');
  }
  return { text: redactText(text).trim(), executive: row.executive, at: new Date(row.created_at).toISOString() };
}
