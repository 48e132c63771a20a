import { type Expression, type RawBuilder, type Selectable, sql } from 'kysely';
import {
  type ActionFigures,
  type FixCheck,
  RECENTLY_DONE_DAYS,
  THEME_DAYS,
  type ThemeCount,
  TOP_THEMES,
} from '../actions/action-list';
import { countActionFigures, countTopThemes, listFixChecks } from '../actions/action-list.repository';
import { isReachedAttempt } from '../calls/call.repository';
import type { CallAttemptRow, ComplaintRow, Db, DigestsTable, PickRow } from '../db/schema';
import { redactText } from '../privacy/redact';
import { DAY_MS, dateInZone } from '../shared/time';
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
  /** TIMEZONE, for actions' due dates; UTC when not given. */
  timezone?: string;
  /** How many days to `to` the top themes cover; THEME_DAYS (90) when not given. */
  themeDays?: number;
  /** The outcome modal's list of themes, so a help-desk tag counts as a theme before any action has it. */
  themes?: readonly string[];
}

const ts = (d: Date): RawBuilder<Date> => sql<Date>`${d.toISOString()}::timestamptz`;

/** One end of a counting range: a parameter, or a column of the trend's buckets. */
type Bound = Expression<Date>;

/** The window's ends as SQL parameters, once it is known to end after it starts. */
function windowBounds(window: Pick<MetricsWindow, 'from' | 'to'>): { F: Bound; T: Bound } {
  if (window.to.getTime() <= window.from.getTime()) throw new Error('the metrics window must end after it starts');
  return { F: ts(window.from), T: ts(window.to) };
}

/** The 4 weeks ending at `to`, each 7 × 24 hours, labelled with their first UTC day. */
export function defaultTrend(to: Date): TrendBucket[] {
  return [3, 2, 1, 0].map((i) => {
    const start = new Date(to.getTime() - (i + 1) * WEEK_MS);
    return { start, end: new Date(to.getTime() - i * WEEK_MS), label: start.toISOString().slice(0, 10) };
  });
}

/**
 * Every figure of the digest and `/pickup stats` for a window, in indexed queries (each a range scan on a
 * created_at-style index plus per-complaint index probes), so it stays fast at a million complaints.
 * Customer text is stripped of anything that looks like an email or phone number before it leaves here.
 */
export async function computeMetrics(db: Db, window: MetricsWindow): Promise<Metrics> {
  windowBounds(window);
  // One query at a time, as the figures have always been read: on a pool, ten at once would hold ten
  // connections for one digest or `/pickup stats`, and on PGlite or in a transaction they would queue anyway.
  const { funnel, medians } = await countFunnel(db, window);
  const executives = await listExecutiveActivity(db, window);
  const quiet = await findQuietExecutives(db, window);
  const { unclaimed, unclaimedTotal } = await listUnclaimedPicks(db, window);
  const newAdvocates = await listNewAdvocates(db, window);
  const { learnings, learningsTotal } = await listShareableLearnings(db, window);
  const actions = await countActions(db, window);
  const { themes, themeDays } = await countThemes(db, window);
  const fixChecks = await checkFixes(db, window);
  const trend = await countTrend(db, window);
  const range = { from: window.from.toISOString(), to: window.to.toISOString() };
  const calls = { funnel, medians, executives, quiet, unclaimed, unclaimedTotal, newAdvocates, trend };
  const loop = { quote: learnings[0] ?? null, learnings, learningsTotal, actions, themes, themeDays, fixChecks };
  return { ...range, ...calls, ...loop };
}

// Evidence row `e` is its complaint's first advocacy evidence ever: one probe of the per-complaint index.
const isFirstAdvocacy = sql<boolean>`e.id = (SELECT o.id FROM advocacy_evidence o WHERE o.complaint_id = e.complaint_id
                                             AND o.is_advocacy ORDER BY o.created_at, o.id LIMIT 1)`;

/** Picks made in [from, to) that drew a complaint. */
const countPicked = (from: Bound, to: Bound) => sql<number>`(SELECT count(*) FROM picks p
  WHERE p.complaint_id IS NOT NULL AND p.created_at >= ${from} AND p.created_at < ${to})`;

/** Distinct complaints with a reached call in [from, to). */
const countReached = (from: Bound, to: Bound) => sql<number>`(SELECT count(DISTINCT a.complaint_id) FROM call_attempts a
  WHERE ${isReachedAttempt('a')} AND a.created_at >= ${from} AND a.created_at < ${to})`;

/** Complaints whose first advocacy evidence ever was recorded in [from, to). */
const countNewAdvocates = (from: Bound, to: Bound) => sql<number>`(SELECT count(*) FROM advocacy_evidence e
  WHERE e.is_advocacy AND e.created_at >= ${from} AND e.created_at < ${to} AND ${isFirstAdvocacy})`;

// "First ever" checks are scalar subqueries on purpose: each is one probe of a per-complaint (or per-claim) index
// for the rows in the window, where NOT EXISTS or DISTINCT let the planner hash or sort whole tables.

/** Complaints whose very first call attempt was made in [from, to). */
const countFirstAttempts = (from: Bound, to: Bound) => sql<number>`(SELECT count(*) FROM call_attempts a
  WHERE a.created_at >= ${from} AND a.created_at < ${to}
    AND a.id = (SELECT b.id FROM call_attempts b WHERE b.complaint_id = a.complaint_id
                ORDER BY b.created_at, b.id LIMIT 1))`;

/**
 * The median hours from a pick to its first claim, over claims made in [from, to). claims has no index on
 * complaint_id, so the "first" check scans claimed_at between the pick and the claim (hours, usually).
 */
const medianPickToClaimHours = (from: Bound, to: Bound) => sql<number | null>`(
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM cl.claimed_at - p.created_at)::float8 / 3600)
  FROM claims cl JOIN picks p ON p.complaint_id = cl.complaint_id
  WHERE cl.claimed_at >= ${from} AND cl.claimed_at < ${to} AND cl.claimed_at >= p.created_at
    AND cl.claimed_at = (SELECT min(c2.claimed_at) FROM claims c2
                         WHERE c2.complaint_id = cl.complaint_id
                           AND c2.claimed_at >= p.created_at AND c2.claimed_at <= cl.claimed_at))`;

/** The median hours from a claim to its first call attempt, over attempts made in [from, to). */
const medianClaimToAttemptHours = (from: Bound, to: Bound) => sql<number | null>`(
  SELECT percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM a.created_at - (SELECT cl.claimed_at FROM claims cl WHERE cl.id = a.claim_id))::float8 / 3600)
  FROM call_attempts a
  WHERE a.created_at >= ${from} AND a.created_at < ${to}
    AND a.id = (SELECT b.id FROM call_attempts b WHERE b.claim_id = a.claim_id ORDER BY b.created_at, b.id LIMIT 1))`;

/** The funnel's counts and medians, as the funnel query reads them. */
type FunnelRow = Record<
  'received' | 'escalated' | 'picked' | 'claimed' | 'first_attempt' | 'reached' | 'advocates',
  number
> & {
  pick_to_claim: number | null;
  claim_to_attempt: number | null;
};

/** The funnel of the window, each stage counted in complaints, and the medians between its stages. */
export async function countFunnel(db: Db, window: MetricsWindow): Promise<Pick<Metrics, 'funnel' | 'medians'>> {
  const { F, T } = windowBounds(window);
  const { rows } = await sql<FunnelRow>`
    SELECT
      r.received,
      r.escalated,
      ${countPicked(F, T)} AS picked,
      (SELECT count(DISTINCT cl.complaint_id) FROM claims cl
        WHERE cl.claimed_at >= ${F} AND cl.claimed_at < ${T}) AS claimed,
      ${countFirstAttempts(F, T)} AS first_attempt,
      ${countReached(F, T)} AS reached,
      ${countNewAdvocates(F, T)} AS advocates,
      ${medianPickToClaimHours(F, T)} AS pick_to_claim,
      ${medianClaimToAttemptHours(F, T)} AS claim_to_attempt
    FROM (
      SELECT count(*) FILTER (WHERE c.is_major) AS received,
             count(*) FILTER (WHERE c.is_major AND c.escalated_by IS NOT NULL) AS escalated
      FROM complaints c WHERE c.created_at >= ${F} AND c.created_at < ${T}
    ) r`.execute(db);
  const f = rows[0];
  if (!f) throw new Error('the funnel query returned no row');
  return {
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
  };
}

/**
 * Complaints whose first advocacy evidence is in [from, to), credited to whoever last called the customer before
 * `to` (the survey webhook records no executive), or else to the executive who recorded it.
 */
const creditedNewAdvocates = (from: Bound, to: Bound) => sql<{
  complaint_id: number;
  first_at: Date;
  executive: string | null;
}>`
  SELECT n.complaint_id, n.first_at,
    COALESCE((SELECT a.executive FROM call_attempts a
              WHERE a.complaint_id = n.complaint_id AND a.created_at < ${to}
              ORDER BY a.created_at DESC, a.id DESC LIMIT 1), n.recorded_by) AS executive
  FROM (
    SELECT e.complaint_id, e.created_at AS first_at, e.recorded_by
    FROM advocacy_evidence e
    WHERE e.is_advocacy AND e.created_at >= ${from} AND e.created_at < ${to} AND ${isFirstAdvocacy}
  ) n`;

/** One executive's counts in the window, as the activity query reads them. */
type ActivityRow = { executive: string } & Omit<ExecutiveActivity, 'userId'>;

/** Each executive's claims, attempts, customers reached and new advocates in the window; the busiest first. */
export async function listExecutiveActivity(db: Db, window: MetricsWindow): Promise<ExecutiveActivity[]> {
  const { F, T } = windowBounds(window);
  const { rows } = await sql<ActivityRow>`
    WITH credited AS (${creditedNewAdvocates(F, T)}),
    events AS (
      SELECT cl.claimed_by AS executive, 1 AS claims, 0 AS attempts,
             NULL::bigint AS reached_complaint, NULL::bigint AS advocate_complaint
      FROM claims cl WHERE cl.claimed_at >= ${F} AND cl.claimed_at < ${T}
      UNION ALL
      SELECT a.executive, 0, 1, CASE WHEN ${isReachedAttempt('a')} THEN a.complaint_id END, NULL
      FROM call_attempts a WHERE a.created_at >= ${F} AND a.created_at < ${T}
      UNION ALL
      SELECT c.executive, 0, 0, NULL, c.complaint_id FROM credited c WHERE c.executive IS NOT NULL
    )
    SELECT executive, sum(claims) AS claims, sum(attempts) AS attempts,
           count(DISTINCT reached_complaint) AS reached, count(DISTINCT advocate_complaint) AS advocates
    FROM events GROUP BY executive`.execute(db);
  return mergeExecutives(window.executives, rows);
}

/** The window's executives who made no call attempt in the QUIET_DAYS before `to`, in the order given. */
export async function findQuietExecutives(db: Db, window: MetricsWindow): Promise<string[]> {
  const { T } = windowBounds(window);
  const quietSince = new Date(window.to.getTime() - QUIET_DAYS * DAY_MS);
  const { rows } = await sql<Pick<CallAttemptRow, 'executive'>>`
    SELECT DISTINCT a.executive FROM call_attempts a
    WHERE a.created_at >= ${ts(quietSince)} AND a.created_at < ${T}
      AND a.executive = ANY(${[...window.executives]}::text[])`.execute(db);
  const recent = new Set(rows.map((r) => r.executive));
  return [...new Set(window.executives)].filter((u) => !recent.has(u));
}

/** A pick of the window nobody holds, with what its listing shows and what must be redacted from it. */
type UnclaimedRow = Pick<PickRow, 'pick_date'> &
  Pick<ComplaintRow, 'subject' | 'ticket_url' | 'customer_email' | 'customer_phone'> & {
    complaint_id: number;
    total: number;
  };

/** The window's picks that nobody holds as of `now`, oldest first (LIST_LIMIT of them), and how many there are. */
export async function listUnclaimedPicks(
  db: Db,
  window: MetricsWindow,
): Promise<Pick<Metrics, 'unclaimed' | 'unclaimedTotal'>> {
  const { F, T } = windowBounds(window);
  const now = ts(window.now);
  const { rows } = await sql<UnclaimedRow>`
    SELECT p.pick_date, c.id AS complaint_id, c.subject, c.ticket_url, c.customer_email, c.customer_phone,
           count(*) OVER () AS total
    FROM picks p JOIN complaints c ON c.id = p.complaint_id
    WHERE p.created_at >= ${F} AND p.created_at < ${T}
      -- Held at "now" by a claim made after the pick (an earlier claim from the queue was let go, or it could not
      -- have been picked). The redundant bound on F lets the planner read claims by claimed_at, not all of them.
      AND NOT EXISTS (SELECT 1 FROM claims cl
                      WHERE cl.complaint_id = p.complaint_id
                        AND cl.claimed_at >= p.created_at AND cl.claimed_at >= ${F} AND cl.claimed_at <= ${now}
                        AND (cl.released_at IS NULL OR cl.released_at > ${now}))
    ORDER BY p.pick_date, p.id
    LIMIT ${LIST_LIMIT}`.execute(db);
  return {
    unclaimed: rows.map(
      (r): UnclaimedPick => ({
        date: r.pick_date,
        complaintId: Number(r.complaint_id),
        subject: redactText(r.subject, contactsOf(r)),
        // A URL can carry an email address or a phone in its query; they are redacted like any text.
        ticketUrl: r.ticket_url === null ? null : redactText(r.ticket_url, contactsOf(r)),
      }),
    ),
    unclaimedTotal: Number(rows[0]?.total ?? 0),
  };
}

/** A new advocate's complaint, with every kind of advocacy evidence recorded for it before `to`. */
type NewAdvocateRow = Pick<ComplaintRow, 'customer_company' | 'subject' | 'customer_email' | 'customer_phone'> & {
  complaint_id: number;
  kinds: string[] | null;
};

/** The complaints whose first advocacy evidence came in the window, in that order (LIST_LIMIT of them). */
export async function listNewAdvocates(db: Db, window: MetricsWindow): Promise<NewAdvocate[]> {
  const { F, T } = windowBounds(window);
  const { rows } = await sql<NewAdvocateRow>`
    SELECT c.id AS complaint_id, c.customer_company, c.subject, c.customer_email, c.customer_phone,
      (SELECT array_agg(DISTINCT e.kind ORDER BY e.kind) FROM advocacy_evidence e
       WHERE e.complaint_id = c.id AND e.is_advocacy AND e.created_at < ${T}) AS kinds
    FROM (${creditedNewAdvocates(F, T)}) n JOIN complaints c ON c.id = n.complaint_id
    ORDER BY n.first_at, c.id
    LIMIT ${LIST_LIMIT}`.execute(db);
  return rows.map(
    (r): NewAdvocate => ({
      complaintId: Number(r.complaint_id),
      company: r.customer_company === null ? null : redactText(r.customer_company, contactsOf(r)),
      subject: redactText(r.subject, contactsOf(r)),
      kinds: r.kinds ?? [],
    }),
  );
}

/** A call note marked "ok to quote", with the customer details to take out of it. */
type QuoteRow = Pick<CallAttemptRow, 'executive' | 'created_at'> & { notes: string } & Pick<
    ComplaintRow,
    'customer_name' | 'customer_company' | 'customer_email' | 'customer_phone'
  >;

/** The window's latest call note an executive marked "ok to quote", made fit to share; null when there is none. */
export async function findShareableQuote(db: Db, window: MetricsWindow): Promise<Quote | null> {
  return (await listShareableLearnings(db, window, 1)).learnings[0] ?? null;
}

/**
 * "What we learned": the window's call notes an executive marked "ok to quote", newest first (at most `limit`),
 * each made fit to share, and how many there are.
 */
export async function listShareableLearnings(
  db: Db,
  window: MetricsWindow,
  limit: number = LIST_LIMIT,
): Promise<Pick<Metrics, 'learnings' | 'learningsTotal'>> {
  const { F, T } = windowBounds(window);
  const { rows } = await sql<QuoteRow & { total: number }>`
    SELECT a.notes, a.executive, a.created_at,
           c.customer_name, c.customer_company, c.customer_email, c.customer_phone,
           count(*) OVER () AS total
    FROM call_attempts a JOIN complaints c ON c.id = a.complaint_id
    WHERE a.ok_to_quote AND a.notes IS NOT NULL AND btrim(a.notes) <> ''
      AND a.created_at >= ${F} AND a.created_at < ${T}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT ${limit}`.execute(db);
  return { learnings: rows.map(toQuote), learningsTotal: Number(rows[0]?.total ?? 0) };
}

/**
 * Actions opened, done and overdue in the window (LIST_LIMIT of each). Overdue is judged at the window's end, or
 * now when it is not over, against that day in TIMEZONE.
 */
export async function countActions(db: Db, window: MetricsWindow): Promise<ActionFigures> {
  windowBounds(window);
  const asOf = window.now.getTime() < window.to.getTime() ? window.now : window.to;
  const overdueBefore = dateInZone(asOf, window.timezone ?? 'UTC');
  return countActionFigures(db, { from: window.from, to: window.to, asOf, overdueBefore }, LIST_LIMIT);
}

/** The top themes over the `themeDays` (default THEME_DAYS) to `to`, and that span. */
export async function countThemes(db: Db, window: MetricsWindow): Promise<{ themes: ThemeCount[]; themeDays: number }> {
  windowBounds(window);
  const themeDays = window.themeDays ?? THEME_DAYS;
  const span = { from: new Date(window.to.getTime() - themeDays * DAY_MS), to: window.to };
  return { themes: await countTopThemes(db, span, window.themes ?? [], TOP_THEMES), themeDays };
}

/** Actions done in the RECENTLY_DONE_DAYS to `to` (LIST_LIMIT of them), with new complaints on their theme since. */
export async function checkFixes(db: Db, window: MetricsWindow): Promise<FixCheck[]> {
  windowBounds(window);
  const span = { from: new Date(window.to.getTime() - RECENTLY_DONE_DAYS * DAY_MS), to: window.to };
  return listFixChecks(db, span, LIST_LIMIT);
}

/** Picks, customers reached and new advocates in each bucket of the trend (by default the 4 weeks to `to`). */
export async function countTrend(db: Db, window: MetricsWindow): Promise<TrendPoint[]> {
  windowBounds(window);
  const buckets = window.trend ?? defaultTrend(window.to);
  const [from, to] = [sql.ref<Date>('b.s'), sql.ref<Date>('b.e')];
  const { rows } = await sql<{ i: number } & Omit<TrendPoint, 'label'>>`
    SELECT b.i,
      ${countPicked(from, to)} AS picked,
      ${countReached(from, to)} AS reached,
      ${countNewAdvocates(from, to)} AS advocates
    FROM unnest(${buckets.map((b) => b.start.toISOString())}::timestamptz[],
                ${buckets.map((b) => b.end.toISOString())}::timestamptz[]) WITH ORDINALITY AS b(s, e, i)
    ORDER BY b.i`.execute(db);
  return buckets.map((b, i): TrendPoint => {
    const row = rows.find((r) => Number(r.i) === i + 1);
    return {
      label: b.label,
      picked: Number(row?.picked ?? 0),
      reached: Number(row?.reached ?? 0),
      advocates: Number(row?.advocates ?? 0),
    };
  });
}

/** A stored week's digest, as much as a new run needs to know of it. */
export type StoredDigest = Pick<Selectable<DigestsTable>, 'partial'>;

/** The digest stored for the week starting on `weekStart` (a Monday, YYYY-MM-DD), if there is one. */
export async function findStoredDigest(db: Db, weekStart: string): Promise<StoredDigest | undefined> {
  return db.selectFrom('digests').select('partial').where('week_start', '=', weekStart).executeTakeFirst();
}

/** Stores a week's digest unless one is stored; true when this call stored it (the unique week_start decides). */
export async function insertDigest(
  db: Db,
  digest: { weekStart: string; partial: boolean; metrics: Metrics },
): Promise<boolean> {
  const inserted = await db
    .insertInto('digests')
    .values({ week_start: digest.weekStart, partial: digest.partial, metrics: JSON.stringify(digest.metrics) })
    .onConflict((oc) => oc.column('week_start').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Replaces the figures of a week posted while partial with its complete ones; true when this call did. Only one
 * run can: the one that flips the partial flag.
 */
export async function completePartialDigest(db: Db, weekStart: string, metrics: Metrics): Promise<boolean> {
  const completed = await db
    .updateTable('digests')
    .set({ partial: false, metrics: JSON.stringify(metrics) })
    .where('week_start', '=', weekStart)
    .where('partial', '=', true)
    .returning('id')
    .executeTakeFirst();
  return completed !== undefined;
}

/** Every configured executive (even with nothing this window) plus anyone else who acted; the busiest first. */
function mergeExecutives(executives: readonly string[], rows: readonly ActivityRow[]): ExecutiveActivity[] {
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

const contactsOf = (r: Pick<ComplaintRow, 'customer_email' | 'customer_phone'>) => ({
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
function toQuote(row: QuoteRow): Quote {
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
