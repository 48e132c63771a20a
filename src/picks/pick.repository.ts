import { type Expression, expressionBuilder, type RawBuilder, sql, type Transaction } from 'kysely';
import { customerWasReached } from '../calls/call.repository';
import type { ComplaintRow, Database, Db, PickRow } from '../db/schema';
import { type EligibilityWindow, eligibilityCutoffs } from './eligibility';
import type { PickRecord } from './pick';

const eb = expressionBuilder<Database>();

/** True when the complaint was drawn as a daily pick (a complaint is picked at most once). */
function wasPicked(complaintId: Expression<number>) {
  return eb.exists(eb.selectFrom('picks as p').select('p.id').where('p.complaint_id', '=', complaintId));
}

/** True when an executive holds an open claim on the complaint. */
function hasOpenClaim(complaintId: Expression<number>) {
  return eb.exists(
    eb
      .selectFrom('claims as cl')
      .select('cl.id')
      .where('cl.complaint_id', '=', complaintId)
      .where('cl.status', '=', 'open'),
  );
}

/**
 * True when a complaint picked after `pickedAfter` (aliased `rc`) belongs to the same customer as the complaint
 * aliased `c`, by the one detail `sameCustomer` compares.
 */
function customerPickedSince(pickedAfter: Date, sameCustomer: RawBuilder<boolean>) {
  return eb.exists(
    eb
      .selectFrom('picks as rp')
      .innerJoin('complaints as rc', 'rc.id', 'rp.complaint_id')
      .select('rp.id')
      .where('rp.created_at', '>', pickedAfter)
      .where(sameCustomer),
  );
}

/** The details `sameCustomerBy` compares, as SQL between a picked complaint `rc` and a candidate `c`: nulls never match. */
const SAME_CUSTOMER = {
  email: sql<boolean>`rc.customer_email = c.customer_email`,
  phone: sql<boolean>`rc.customer_phone = c.customer_phone`,
  company: sql<boolean>`lower(rc.customer_company) = lower(c.customer_company)`,
} as const;

/**
 * The eligible complaints as a query to extend (select columns, order, limit, count): the SQL twin of `isEligible`.
 * Shaped for a million complaints: the partial index `complaints_eligible_idx` narrows to recently-major callable
 * ones, and every other rule is a NOT EXISTS that the planner turns into an anti-join.
 */
export function selectEligibleComplaints(db: Db, window: EligibilityWindow) {
  const { majorSince, pickedAfter } = eligibilityCutoffs(window);
  return (
    db
      .selectFrom('complaints as c')
      // Spelled exactly like the partial index's predicate, with no parameters, so the planner can prove it applies.
      .where(sql<boolean>`c.is_major AND NOT c.do_not_call AND c.closed_at IS NULL`)
      // The index's expression: a major row an older release wrote mid-upgrade has no became_major_at yet.
      .where(sql<Date>`coalesce(c.became_major_at, c.received_at)`, '>=', majorSince)
      .where('c.pii_erased_at', 'is', null)
      .where(({ not, ref }) => not(wasPicked(ref('c.id'))))
      .where(({ not, ref }) => not(customerWasReached(ref('c.id'))))
      .where(({ not, ref }) => not(hasOpenClaim(ref('c.id'))))
      // Three anti-joins rather than one OR: each can hash the few recent picks, an OR would loop over them per row.
      .where(({ not }) => not(customerPickedSince(pickedAfter, SAME_CUSTOMER.email)))
      .where(({ not }) => not(customerPickedSince(pickedAfter, SAME_CUSTOMER.phone)))
      .where(({ not }) => not(customerPickedSince(pickedAfter, SAME_CUSTOMER.company)))
  );
}

/**
 * The newest eligible complaints and how many are eligible in all, in one pass over the pool
 * (a window count rather than a second run of the eligibility query).
 */
export async function findNewestEligible(
  db: Db,
  window: EligibilityWindow,
  limit: number,
): Promise<{ rows: ComplaintRow[]; total: number }> {
  const rows = await selectEligibleComplaints(db, window)
    .selectAll('c')
    .select(sql<number>`count(*) OVER ()`.as('eligible_total'))
    .orderBy('c.received_at', 'desc')
    .limit(limit)
    .execute();
  return {
    rows: rows.map(({ eligible_total: _total, ...row }) => row),
    total: Number(rows[0]?.eligible_total ?? 0),
  };
}

/** Ids of every eligible complaint, ascending: the pool the daily draw picks from. */
export async function findEligibleComplaintIds(db: Db, window: EligibilityWindow): Promise<number[]> {
  const rows = await selectEligibleComplaints(db, window).select('c.id').orderBy('c.id').execute();
  return rows.map((r) => r.id);
}

/** The facts `isEligible` needs about some complaints, read from every table involved. */
export async function findEligibilityFacts(db: Db, complaintIds: readonly number[]) {
  if (complaintIds.length === 0) return [];
  return db
    .selectFrom('complaints as c')
    .select(({ ref }) => [
      'c.id',
      'c.is_major',
      'c.do_not_call',
      'c.closed_at',
      'c.received_at',
      'c.became_major_at',
      'c.customer_email',
      'c.customer_phone',
      'c.customer_company',
      'c.pii_erased_at',
      wasPicked(ref('c.id')).as('picked'),
      customerWasReached(ref('c.id')).as('reached'),
      hasOpenClaim(ref('c.id')).as('open_claim'),
    ])
    .where('c.id', 'in', complaintIds)
    .orderBy('c.id')
    .execute();
}

/** Complaints picked after `since`, with the customer details the cooldown matches on. */
export async function findPickedCustomers(db: Db, since: Date) {
  return db
    .selectFrom('picks as p')
    .innerJoin('complaints as c', 'c.id', 'p.complaint_id')
    .select(['c.id as complaint_id', 'p.created_at', 'c.customer_email', 'c.customer_phone', 'c.customer_company'])
    .where('p.created_at', '>', since)
    .execute();
}

/**
 * Serialises daily draws across every instance until the transaction ends. The unique date alone makes a second
 * pick for a date impossible, but two draws for different dates (or a race the date check lost) could choose
 * the same complaint and fail on picks_complaint_id_key; drawing one at a time makes that impossible too.
 * Reads of picks are not blocked.
 */
export async function lockPicks(trx: Transaction<Database>): Promise<void> {
  await sql`LOCK TABLE picks IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}

/**
 * Plans the rest of the transaction without parallel workers. The draw's eligibility query anti-joins about 10,000
 * recent complaints, a few milliseconds' work; PostgreSQL still planned it in parallel, and starting the workers took
 * longer than the work (bench, a million complaints on 2 cores: the leader waited 30 ms for two workers that worked
 * 18 ms each). PGlite has no parallel workers, so there it changes nothing.
 */
export async function planWithoutParallelWorkers(trx: Transaction<Database>): Promise<void> {
  await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
}

/**
 * What a new pick row holds: a stored pick without its id, drawn verifiably, so the pool the draw chose from and
 * the week and commitment of its seed (see draw.ts) are always known.
 */
export type NewPick = Omit<PickRecord, 'id' | 'poolIds' | 'seedWeek' | 'seedCommitment'> & {
  poolIds: readonly number[];
  seedWeek: string;
  seedCommitment: string;
};

/** Inserts the pick for a date; undefined when that date already has one (the unique date decides). */
export async function insertPick(db: Db, pick: NewPick): Promise<PickRow | undefined> {
  return db
    .insertInto('picks')
    .values({
      pick_date: pick.date,
      complaint_id: pick.complaintId,
      pool_size: pick.poolSize,
      drawn_index: pick.drawnIndex,
      pool_hash: pick.poolHash,
      suggested_exec: pick.suggestedExecutive,
      trigger: pick.trigger,
      created_at: pick.createdAt,
      pool_ids: [...pick.poolIds],
      seed_week: pick.seedWeek,
      seed_commitment: pick.seedCommitment,
    })
    .onConflict((oc) => oc.column('pick_date').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The pick for a date (YYYY-MM-DD), if there is one. */
export async function findPickByDate(db: Db, date: string): Promise<PickRow | undefined> {
  return db.selectFrom('picks').selectAll().where('pick_date', '=', date).executeTakeFirst();
}

/** True when a pick was drawn for a date before `date` (YYYY-MM-DD): the workspace has used Pickup before. */
export async function hasPickBefore(db: Db, date: string): Promise<boolean> {
  const row = await db
    .selectFrom('picks')
    .select('pick_date')
    .where('pick_date', '<', date)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The pick that chose a complaint, if any; a complaint is picked at most once. */
export async function findPickByComplaintId(db: Db, complaintId: number): Promise<PickRow | undefined> {
  return db.selectFrom('picks').selectAll().where('complaint_id', '=', complaintId).executeTakeFirst();
}

/** Claims (any status) each user made since `since`; every asked-for user is in the map, 0 when none. */
export async function countRecentClaims(db: Db, userIds: readonly string[], since: Date): Promise<Map<string, number>> {
  const counts = new Map<string, number>(userIds.map((u) => [u, 0]));
  if (userIds.length === 0) return counts;
  const rows = await db
    .selectFrom('claims')
    .select(['claimed_by', (eb) => eb.fn.countAll<number>().as('n')])
    .where('claimed_by', 'in', userIds)
    .where('claimed_at', '>=', since)
    .groupBy('claimed_by')
    .execute();
  for (const r of rows) counts.set(r.claimed_by, Number(r.n));
  return counts;
}

/** Users marked away on a date (YYYY-MM-DD): some away period starts on or before it and ends on or after it. */
export async function findAwayExecutives(db: Db, date: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('executive_away')
    .select('user_id')
    .distinct()
    .where('start_date', '<=', date)
    .where('end_date', '>=', date)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}
