import type pg from 'pg';
import { selectEligibleComplaints } from '../src/picks/pick.repository';
import type { Engine } from './engines';
import type { Size } from './options';
import { timed } from './stats';

/** The executives the seeded claims and the benchmarks use: plain user IDs, so no user-group lookups. */
export const BENCH_EXECUTIVES = Array.from({ length: 8 }, (_, i) => `UEXEC000${i}`);

/** Pickup's defaults, which the seed shapes the eligible pool against. */
export const ELIGIBLE_DAYS = 30;
export const COOLDOWN_DAYS = 90;

/** Days of history the seed spreads complaints, claims and attempts over. */
const HISTORY_DAYS = 730;

/** What the seed wrote, for the report. */
export interface SeedSummary {
  complaints: number;
  eligible: number;
  picks: number;
  claims: number;
  attempts: number;
  evidence: number;
  /** Seconds each step took. */
  seconds: Record<string, number>;
  /** The instant the data is laid out around; the benchmarks run within minutes of it. */
  now: string;
}

async function count(raw: pg.Pool, table: string): Promise<number> {
  const r = await raw.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0]?.n ?? 0;
}

/**
 * Seeds a realistic history in bulk with generate_series (no row-by-row inserts): `size.complaints` complaints
 * over two years, a pick a day with its claim and call, `size.attempts` call attempts on claims spread over the
 * same years, advocacy evidence for some reached calls, and open claims on a few recent complaints. Then the
 * recent pool is trimmed (surplus complaints closed, as support resolves them) to exactly `size.eligible`
 * eligible complaints, as judged by Pickup's own eligibility query. Ends with VACUUM ANALYZE unless `analyze` is
 * false (an embedded database in production: PGlite runs no autovacuum).
 */
export async function seedHistory(engine: Engine, size: Size, now: Date, analyze = true): Promise<SeedSummary> {
  await engine.use('raw');
  const raw = engine.raw;
  const seconds: Record<string, number> = {};
  const step = async (name: string, text: string, params: unknown[]) => {
    const { ms } = await timed(() => raw.query(text, params));
    seconds[name] = Math.round(ms) / 1000;
  };
  const N = size.complaints;
  const customers = Math.max(500, Math.round(N / 5));
  const companies = Math.max(50, Math.round(N / 50));
  const T0 = now.toISOString();

  await step(
    'complaints',
    `INSERT INTO complaints (source, external_id, subject, description, support_tried, priority, tags, is_major,
       do_not_call, customer_name, customer_company, customer_phone, customer_email, customer_timezone, ticket_url,
       received_at, became_major_at, created_at, updated_at)
     SELECT 'seed', 'S' || g,
       'Order ' || g || ' arrived damaged and the refund is late',
       'Wrote in three times about order ' || g || '; unhappy with how long this is taking and asked for someone senior to call.',
       CASE WHEN g % 3 = 0 THEN 'Refund raised; escalated to tier 2' END,
       CASE WHEN g % 20 = 0 THEN 'normal' WHEN g % 5 = 1 THEN 'urgent' ELSE 'high' END,
       CASE WHEN g % 11 = 0 AND g % 20 <> 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END,
       g % 20 <> 0,
       g % 25 = 1,
       'Customer ' || (g % $2::int),
       'Company ' || (g % $3::int),
       '+1555' || lpad((g % $2::int)::text, 7, '0'),
       'customer' || (g % $2::int) || '@example.com',
       (ARRAY['America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney'])[1 + g % 4],
       'https://help.example.com/tickets/' || g,
       t.at - ((g::bigint * 7919) % 3600) * interval '1 second',
       CASE WHEN g % 20 <> 0 THEN t.at - ((g::bigint * 7919) % 3600) * interval '1 second' END,
       t.at, t.at
     FROM generate_series(1, $1::int) g
     CROSS JOIN LATERAL (SELECT $4::timestamptz - (($1::int - g) * ($5::float8 / $1::int)) * interval '1 day' AS at) t
     ORDER BY g`,
    [N, customers, companies, T0, HISTORY_DAYS],
  );
  const ids = await raw.query<{ lo: number; hi: number }>('SELECT min(id) AS lo, max(id) AS hi FROM complaints');
  if (ids.rows[0]?.lo !== 1 || ids.rows[0]?.hi !== N) {
    throw new Error(`the seed expects complaint ids 1..${N} on a fresh database, got ${JSON.stringify(ids.rows[0])}`);
  }

  // A pick a day at 10:00 UTC for two years, each of a complaint received a few days earlier (major, callable).
  await step(
    'picks',
    `INSERT INTO picks (pick_date, complaint_id, pool_size, drawn_index, pool_hash, suggested_exec, trigger, created_at)
     SELECT day, x.cid, 5000, (x.cid % 5000)::int, 'seed', 'UEXEC000' || (d % 8), 'schedule',
            (day::timestamp + interval '10 hours') AT TIME ZONE 'UTC'
     FROM generate_series(1, $3::int) d
     CROSS JOIN LATERAL (SELECT (($4::timestamptz AT TIME ZONE 'UTC')::date - d) AS day) dd
     CROSS JOIN LATERAL (SELECT ($1::int - round((d + 3) * ($1::float8 / $2::int)))::bigint AS r) rr
     CROSS JOIN LATERAL (SELECT rr.r - (rr.r % 100) + 50 AS cid) x
     WHERE x.cid BETWEEN 1 AND $1::int
     ORDER BY d
     ON CONFLICT DO NOTHING`,
    [N, HISTORY_DAYS, HISTORY_DAYS - 5, T0],
  );
  // Most picks are claimed within a few hours and called the next morning; one in ten stays unclaimed.
  await step(
    'pick claims',
    `INSERT INTO claims (complaint_id, claimed_by, status, claimed_at, closed_at)
     SELECT p.complaint_id, 'UEXEC000' || (p.id % 8), 'closed',
            p.created_at + ((p.id * 37) % 300 + 5) * interval '1 minute', p.created_at + interval '1 day'
     FROM picks p
     WHERE p.complaint_id IS NOT NULL AND p.id % 10 <> 3 AND p.created_at < $1::timestamptz - interval '1 day'
     ORDER BY p.id`,
    [T0],
  );
  await step(
    'pick attempts',
    `INSERT INTO call_attempts (claim_id, complaint_id, executive, outcome, notes, ok_to_quote, created_at)
     SELECT cl.id, cl.complaint_id, cl.claimed_by, CASE WHEN cl.id % 3 = 0 THEN 'wrong_number' ELSE 'reached' END,
            'Talked it through; they were glad someone senior called.', cl.id % 4 = 0,
            cl.claimed_at + interval '20 hours'
     FROM claims cl
     ORDER BY cl.id`,
    [],
  );
  const pickAttempts = await count(raw, 'call_attempts');
  const next = await raw.query<{ n: number }>('SELECT coalesce(max(id), 0) + 1 AS n FROM claims');
  const firstClaim = next.rows[0]?.n ?? 1;
  const attempts = Math.max(0, size.attempts - pickAttempts);
  const claims = Math.max(1, Math.ceil(attempts / 1.4));

  // Claims from the queue, spread over every complaint; one in ten released. Every claim gets one attempt and the
  // first (attempts - claims) get a second two days later.
  await step(
    'claims',
    `INSERT INTO claims (complaint_id, claimed_by, status, claimed_at, released_at, release_reason, closed_at)
     SELECT c.id, 'UEXEC000' || (k % 8),
            CASE WHEN k % 10 = 0 THEN 'released' ELSE 'closed' END,
            x.at,
            CASE WHEN k % 10 = 0 THEN x.at + interval '3 hours' END,
            CASE WHEN k % 10 = 0 THEN 'Travelling this week' END,
            CASE WHEN k % 10 <> 0 THEN x.at + interval '2 days' END
     FROM generate_series(1, $1::int) k
     JOIN complaints c ON c.id = greatest(1, least($2::int, round(k * ($2::float8 / $1::int))::int))
     CROSS JOIN LATERAL (SELECT least(c.created_at + ((k * 53) % 1440 + 60) * interval '1 minute',
                                      $3::timestamptz - interval '2 hours') AS at) x
     ORDER BY k`,
    [claims, N, T0],
  );
  await step(
    'attempts',
    `INSERT INTO call_attempts (claim_id, complaint_id, executive, outcome, notes, ok_to_quote, created_at)
     SELECT gc.id, gc.complaint_id, gc.claimed_by,
            CASE WHEN j > $2::int THEN (CASE WHEN gc.k % 2 = 0 THEN 'reached' ELSE 'declined' END)
                 WHEN gc.k <= $1::int - $2::int THEN 'voicemail'
                 WHEN gc.k % 5 IN (1, 2) THEN 'reached'
                 ELSE 'no_answer' END,
            CASE WHEN gc.k % 3 = 0 THEN 'Long call; they felt heard and will give us another chance.' END,
            gc.k % 7 = 0,
            least(gc.claimed_at + CASE WHEN j > $2::int THEN interval '2 days' ELSE interval '3 hours' END,
                  $3::timestamptz - interval '1 minute')
     FROM generate_series(1, $1::int) j
     JOIN (SELECT id, complaint_id, claimed_by, claimed_at, row_number() OVER (ORDER BY id) AS k
           FROM claims WHERE id >= $4::bigint) gc ON gc.k = ((j - 1) % $2::int) + 1
     ORDER BY j`,
    [attempts, claims, T0, firstClaim],
  );
  await step(
    'close reached',
    `UPDATE complaints c SET closed_at = r.at
     FROM (SELECT complaint_id, min(created_at) AS at FROM call_attempts WHERE outcome = 'reached' GROUP BY complaint_id) r
     WHERE c.id = r.complaint_id`,
    [],
  );
  await step(
    'evidence',
    `INSERT INTO advocacy_evidence (complaint_id, kind, is_advocacy, source, recorded_by, score, created_at)
     SELECT a.complaint_id, 'executive_assessment', true, 'executive', a.executive, NULL, a.created_at
     FROM call_attempts a WHERE a.outcome = 'reached' AND a.complaint_id % 4 = 0
     UNION ALL
     SELECT a.complaint_id, CASE WHEN a.complaint_id % 12 = 0 THEN 'survey_promoter' ELSE 'survey_detractor' END,
            a.complaint_id % 12 = 0, 'survey', NULL, CASE WHEN a.complaint_id % 12 = 0 THEN 10 ELSE 4 END,
            least(a.created_at + interval '3 days', $1::timestamptz - interval '1 minute')
     FROM call_attempts a WHERE a.outcome = 'reached' AND a.complaint_id % 6 = 0`,
    [T0],
  );
  // A few recent complaints are held by an executive right now: the pick must skip them.
  await step(
    'open claims',
    `INSERT INTO claims (complaint_id, claimed_by, status, claimed_at)
     SELECT c.id, 'UEXEC000' || (c.id % 8), 'open', least(c.created_at + interval '1 hour', $1::timestamptz - interval '1 minute')
     FROM complaints c
     WHERE c.received_at >= $1::timestamptz - interval '30 days' AND c.id % 97 = 3 AND c.closed_at IS NULL
       AND NOT c.do_not_call
     ON CONFLICT DO NOTHING`,
    [T0],
  );
  await step(
    'away',
    `INSERT INTO executive_away (user_id, start_date, end_date)
     VALUES ('UEXEC0007', ($1::timestamptz)::date - 3, ($1::timestamptz)::date + 4),
            ('UEXEC0006', ($1::timestamptz)::date - 60, ($1::timestamptz)::date - 50)`,
    [T0],
  );
  if (analyze) await step('analyze', 'ANALYZE', []);

  const trim = await timed(() => trimEligible(engine, size.eligible, now));
  seconds['trim eligible'] = Math.round(trim.ms) / 1000;
  if (analyze) await step('vacuum analyze', 'VACUUM ANALYZE', []);

  return {
    complaints: await count(raw, 'complaints'),
    eligible: trim.result,
    picks: await count(raw, 'picks'),
    claims: await count(raw, 'claims'),
    attempts: await count(raw, 'call_attempts'),
    evidence: await count(raw, 'advocacy_evidence'),
    seconds,
    now: T0,
  };
}

/**
 * Closes eligible complaints until exactly `target` remain, spread evenly over the window. Only complaints at least
 * a day inside the window are kept, so the pool stays `target` for the day the benchmarks take.
 */
async function trimEligible(engine: Engine, target: number, now: Date): Promise<number> {
  const window = { now, eligibleDays: ELIGIBLE_DAYS, cooldownDays: COOLDOWN_DAYS };
  const pool = await selectEligibleComplaints(engine.rawDb, window)
    .select(['c.id', 'c.received_at'])
    .orderBy('c.id')
    .execute();
  const safeSince = now.getTime() - (ELIGIBLE_DAYS - 1) * 86_400_000;
  const safe = pool.filter((r) => new Date(r.received_at).getTime() >= safeSince).map((r) => r.id);
  if (safe.length < target) {
    throw new Error(`the seed left ${safe.length} complaints eligible, fewer than the ${target} wanted`);
  }
  const keep = new Set<number>();
  for (let j = 0; j < target; j++) {
    const id = safe[Math.floor((j * safe.length) / target)];
    if (id !== undefined) keep.add(id);
  }
  const close = pool.map((r) => r.id).filter((id) => !keep.has(id));
  await engine.raw.query(
    `UPDATE complaints SET closed_at = least(received_at + interval '1 day', $2::timestamptz)
     WHERE id = ANY($1::bigint[])`,
    [close, now.toISOString()],
  );
  const after = await selectEligibleComplaints(engine.rawDb, window).select('c.id').execute();
  if (after.length !== target) throw new Error(`trimmed the pool to ${after.length}, expected ${target}`);
  return after.length;
}
