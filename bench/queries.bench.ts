import { sql } from 'kysely';
import { findComplaintById } from '../src/complaints/complaint.repository';
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
async function undoPick(engine: Engine, date: string): Promise<void> {
  await engine.raw.query(`DELETE FROM outbox WHERE dedupe_key LIKE 'pick:' || $1::text || ':%'`, [date]);
  await engine.raw.query(`DELETE FROM audit_log WHERE action = 'pick.drawn' AND details->>'date' = $1::text`, [date]);
  await engine.raw.query('DELETE FROM picks WHERE pick_date = $1::date', [date]);
}

type PickDb = Parameters<typeof runPickJob>[0]['db'];

async function pickOnce(db: PickDb, expectedPool: number): Promise<number> {
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

/**
 * The daily pick: one runPickJob (the scheduler's and the CLI's path: lock, eligibility over the million rows,
 * the audited draw, rotation, insert, audit, outbox) against a primary-key lookup on the same table.
 */
export async function benchPick(engine: Engine, size: Size, runs: number): Promise<BenchOutput> {
  const date = benchPickDate();
  const picks: number[] = [];
  const lookups: number[] = [];
  await undoPick(engine, date);
  // Warm-up, untimed: the first query of a run pays for plan caching and cold pages alike in both measures.
  await pickOnce(engine.handle.db, size.eligible);
  await undoPick(engine, date);
  for (let run = 0; run < runs; run++) {
    const pk: number[] = [];
    for (let i = 0; i < PK_LOOKUPS_PER_RUN; i++) {
      const id = 1 + Math.floor(Math.random() * size.complaints);
      const { ms, result } = await timed(() => findComplaintById(engine.handle.db, id));
      if (!result) throw new Error(`complaint ${id} is missing`);
      pk.push(ms);
    }
    lookups.push(median(pk));
    const times: number[] = [];
    for (let i = 0; i < size.queryRepeats; i++) {
      times.push(await pickOnce(engine.handle.db, size.eligible));
      await undoPick(engine, date);
    }
    picks.push(median(times));
  }

  const traced = engine.traced();
  try {
    await pickOnce(traced.db, size.eligible);
  } finally {
    await traced.close();
  }
  await undoPick(engine, date);
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
 * The weekly digest's query set (computeMetrics over the last complete week, with its four-week trend) against a
 * COUNT(*) over the same week's range of the complaints' created_at index.
 */
export async function benchDigest(engine: Engine, size: Size, runs: number): Promise<BenchOutput> {
  const { from, to } = lastCompleteWeek(new Date());
  const metrics = () => computeMetrics(engine.handle.db, { from, to, now: new Date(), executives: BENCH_EXECUTIVES });
  const countWeek = () =>
    sql<{ n: number }>`SELECT count(*) AS n FROM complaints WHERE created_at >= ${from} AND created_at < ${to}`.execute(
      engine.handle.db,
    );
  const first = await metrics();
  await countWeek();
  const digests: number[] = [];
  const counts: number[] = [];
  for (let run = 0; run < runs; run++) {
    const c: number[] = [];
    for (let i = 0; i < size.queryRepeats * 3; i++) c.push((await timed(countWeek)).ms);
    counts.push(median(c));
    const d: number[] = [];
    for (let i = 0; i < size.queryRepeats; i++) d.push((await timed(metrics)).ms);
    digests.push(median(d));
  }

  const traced = engine.traced();
  try {
    await computeMetrics(traced.db, { from, to, now: new Date(), executives: BENCH_EXECUTIVES });
  } finally {
    await traced.close();
  }
  const plans = await explainSelects(engine, 'weekly digest', traced.queries);
  const weekRows = Number((await countWeek()).rows[0]?.n ?? 0);
  return {
    figures: [
      figure(
        {
          benchmark: 'weekly digest',
          engine: engine.name,
          measure: 'latency of computeMetrics',
          unit: 'ms',
          target: '≤ 250 ms',
          note: `week ${from.toISOString().slice(0, 10)}: ${weekRows.toLocaleString('en-US')} complaints, ${first.funnel.claimed} claimed, ${first.executives.reduce((n, e) => n + e.attempts, 0)} attempts`,
        },
        digests,
        { label: "COUNT(*) over the week's index range", runs: counts },
        (v) => v <= 250,
      ),
    ],
    plans,
    details: {
      week: { from: from.toISOString(), to: to.toISOString() },
      funnel: first.funnel,
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
