import { type Kysely, sql } from 'kysely';
import { findComplaintById } from '../src/complaints/complaint.repository';
import type { Database } from '../src/db/schema';
import { computeMetrics } from '../src/digest/digest.repository';
import { runPickJob } from '../src/picks/pick.job';
import { benchConfig } from './config';
import type { CapturedQuery, Engine } from './engines';
import type { Size } from './options';
import { type BenchOutput, figure, type Plan } from './result';
import { BENCH_EXECUTIVES } from './seed';
import { median, timed } from './stats';

const PK_LOOKUPS_PER_RUN = 200;

/** Today's date in UTC: no seeded pick has it (the seed's picks end yesterday). */
function benchPickDate(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Removes the pick of `date` and what it wrote (outbox rows, audit row), so every timed pick sees the same pool. */
async function undoPick(db: Kysely<Database>, date: string): Promise<void> {
  await sql`DELETE FROM outbox WHERE dedupe_key LIKE 'pick:' || ${date}::text || ':%'`.execute(db);
  await sql`DELETE FROM audit_log WHERE action = 'pick.drawn' AND details->>'date' = ${date}::text`.execute(db);
  await sql`DELETE FROM picks WHERE pick_date = ${date}::date`.execute(db);
}

async function pickOnce(db: Kysely<Database>, expectedPool: number): Promise<number> {
  const date = benchPickDate();
  const { ms, result } = await timed(() =>
    runPickJob(
      {
        db,
        config: benchConfig(),
        roles: { listExecutives: async () => [...BENCH_EXECUTIVES] },
        now: () => new Date(),
      },
      { date, trigger: 'cli', actor: 'bench' },
    ),
  );
  if (result.status !== 'picked' || result.pick.poolSize !== expectedPool) {
    throw new Error(
      `the pick ${result.status} from a pool of ${result.pick.poolSize}; the bench expects a pick from ${expectedPool}`,
    );
  }
  return ms;
}

/** A primary-key lookup of a random seeded complaint; resolves with its milliseconds. */
async function lookupOnce(db: Kysely<Database>, complaints: number): Promise<number> {
  const id = 1 + Math.floor(Math.random() * complaints);
  const { ms, result } = await timed(() => findComplaintById(db, id));
  if (!result) throw new Error(`complaint ${id} is missing`);
  return ms;
}

/**
 * The daily pick: one runPickJob (the scheduler's and the CLI's path: lock, eligibility over the million rows,
 * the audited draw, rotation, insert, audit, outbox) on the engine's 'pickup' side, against a primary-key lookup on
 * the same table on its 'raw' side.
 */
export async function benchPick(engine: Engine, size: Size, runs: number): Promise<BenchOutput> {
  const date = benchPickDate();
  const picks: number[] = [];
  const lookups: number[] = [];
  for (let run = 0; run < runs; run++) {
    // Each side starts with an untimed warm-up: its first query pays for plan caching and cold pages, and on PGlite
    // each side has just been (re)opened.
    await engine.use('raw');
    await lookupOnce(engine.rawDb, size.complaints);
    const pk: number[] = [];
    for (let i = 0; i < PK_LOOKUPS_PER_RUN; i++) pk.push(await lookupOnce(engine.rawDb, size.complaints));
    lookups.push(median(pk));

    await engine.use('pickup');
    const db = engine.handle.db;
    await undoPick(db, date);
    await pickOnce(db, size.eligible);
    await undoPick(db, date);
    const times: number[] = [];
    for (let i = 0; i < size.queryRepeats; i++) {
      times.push(await pickOnce(db, size.eligible));
      await undoPick(db, date);
    }
    picks.push(median(times));
  }

  await engine.use('raw');
  const traced = engine.traced();
  try {
    await pickOnce(traced.db, size.eligible);
  } finally {
    await traced.close();
  }
  await undoPick(engine.rawDb, date);
  const plans = await explainSelects(engine, 'daily pick', traced.queries);

  return {
    figures: [
      figure(
        {
          benchmark: 'daily pick',
          engine: engine.name,
          measure: 'latency of one pick',
          unit: 'ms',
          target: '≤ 50 ms',
          note: `${size.complaints.toLocaleString('en-US')} complaints, ${size.eligible.toLocaleString('en-US')} eligible`,
        },
        picks,
        { label: 'primary-key lookup', runs: lookups },
        (v) => v <= 50,
      ),
    ],
    plans,
    details: { pickQueries: traced.queries.map((q) => ({ label: firstLine(q.sql), ms: round(q.ms) })) },
  };
}

/** The last complete Monday-to-Monday week before now, in UTC. */
export function lastCompleteWeek(now: Date): { from: Date; to: Date } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  const to = new Date(today - sinceMonday * 86_400_000);
  return { from: new Date(to.getTime() - 7 * 86_400_000), to };
}

/**
 * The weekly digest's query set (computeMetrics over the last complete week, with its four-week trend) on the
 * engine's 'pickup' side, against a COUNT(*) over the same week's range of the complaints' created_at index on its
 * 'raw' side.
 */
export async function benchDigest(engine: Engine, size: Size, runs: number): Promise<BenchOutput> {
  const { from, to } = lastCompleteWeek(new Date());
  const metrics = (db: Kysely<Database>) =>
    computeMetrics(db, { from, to, now: new Date(), executives: BENCH_EXECUTIVES });
  const countWeek = (db: Kysely<Database>) =>
    sql<{ n: number }>`SELECT count(*) AS n FROM complaints WHERE created_at >= ${from} AND created_at < ${to}`.execute(
      db,
    );
  const digests: number[] = [];
  const counts: number[] = [];
  for (let run = 0; run < runs; run++) {
    // An untimed warm-up on each side, as for the pick.
    await engine.use('raw');
    const rawDb = engine.rawDb;
    await countWeek(rawDb);
    const c: number[] = [];
    for (let i = 0; i < size.queryRepeats * 3; i++) c.push((await timed(() => countWeek(rawDb))).ms);
    counts.push(median(c));

    await engine.use('pickup');
    const db = engine.handle.db;
    await metrics(db);
    const d: number[] = [];
    for (let i = 0; i < size.queryRepeats; i++) d.push((await timed(() => metrics(db))).ms);
    digests.push(median(d));
  }

  await engine.use('raw');
  const traced = engine.traced();
  // The traced run's figures describe the week in the note (the database is the same on both sides).
  let weekMetrics: Awaited<ReturnType<typeof metrics>>;
  try {
    weekMetrics = await metrics(traced.db);
  } finally {
    await traced.close();
  }
  const plans = await explainSelects(engine, 'weekly digest', traced.queries);
  const weekRows = Number((await countWeek(engine.rawDb)).rows[0]?.n ?? 0);
  return {
    figures: [
      figure(
        {
          benchmark: 'weekly digest',
          engine: engine.name,
          measure: 'latency of computeMetrics',
          unit: 'ms',
          target: '≤ 250 ms',
          note: `week ${from.toISOString().slice(0, 10)}: ${weekRows.toLocaleString('en-US')} complaints, ${weekMetrics.funnel.claimed} claimed, ${weekMetrics.executives.reduce((n, e) => n + e.attempts, 0)} attempts`,
        },
        digests,
        { label: "COUNT(*) over the week's index range", runs: counts },
        (v) => v <= 250,
      ),
    ],
    plans,
    details: {
      week: { from: from.toISOString(), to: to.toISOString() },
      funnel: weekMetrics.funnel,
      digestQueries: traced.queries.map((q) => ({ label: firstLine(q.sql), ms: round(q.ms) })),
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim().slice(0, 120) ?? '';
}

/** EXPLAIN (ANALYZE, BUFFERS) of every SELECT a traced run made, with the parameters it sent. */
async function explainSelects(engine: Engine, benchmark: string, queries: readonly CapturedQuery[]): Promise<Plan[]> {
  const plans: Plan[] = [];
  for (const q of queries) {
    if (!/^\s*(select|with)\b/i.test(q.sql)) continue;
    const result = await engine.raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [
      ...q.parameters,
    ]);
    plans.push({
      engine: engine.name,
      benchmark,
      label: firstLine(q.sql),
      sql: q.sql,
      ms: round(q.ms),
      plan: result.rows.map((r) => r['QUERY PLAN']).join('\n'),
    });
  }
  return plans;
}
