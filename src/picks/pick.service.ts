import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { type Outgoing, recordPicked } from '../calls/outgoing';
import type { Complaint } from '../complaints/complaint';
import { findComplaintById } from '../complaints/complaint.repository';
import { toComplaint } from '../complaints/complaint.service';
import type { Database, PickRow } from '../db/schema';
import type { OutboxMessage } from '../outbox/outbox';
import { enqueueMessage } from '../outbox/outbox.repository';
import { DAY_MS } from '../shared/time';
import { drawFromPool, type StoredSeed, seedWeekFor } from './draw';
import { ensureWeekSeed } from './draw.service';
import { type EligibilityWindow, eligibilityCutoffs, isEligible } from './eligibility';
import type { PickForPost, PickRecord, PickTrigger } from './pick';
import {
  countRecentClaims,
  findAwayExecutives,
  findEligibilityFacts,
  findEligibleComplaintIds,
  findPickByDate,
  findPickedCustomers,
  insertPick,
  lockPicks,
  planWithoutParallelWorkers,
} from './pick.repository';
import { chooseSuggestedExecutive, cryptoRandomIndex, ROTATION_WINDOW_DAYS } from './rotation';

/** The dedupe key of a date's channel post; claim updates name it as their target. */
export function pickPostKey(date: string): string {
  return `pick:${date}:post`;
}

/** Maps a stored pick to the domain record. */
export function toPickRecord(row: PickRow): PickRecord {
  return {
    id: row.id,
    date: row.pick_date,
    complaintId: row.complaint_id,
    poolSize: row.pool_size,
    drawnIndex: row.drawn_index,
    poolHash: row.pool_hash,
    suggestedExecutive: row.suggested_exec,
    trigger: row.trigger,
    createdAt: row.created_at,
    poolIds: row.pool_ids,
    seedWeek: row.seed_week,
    seedCommitment: row.seed_commitment,
  };
}

/** What `runDailyPick` needs; `executives` are user IDs with groups already expanded. */
export interface DailyPickInput extends EligibilityWindow {
  date: string;
  /** TIMEZONE: the draw uses the seed of the week in progress there (see `seedWeekFor`). */
  timezone: string;
  executives: readonly string[];
  trigger: PickTrigger;
  actor: string;
  /** Breaks rotation ties; tests inject a seeded source, production uses the CSPRNG. The draw uses the week's seed. */
  random?: (n: number) => number;
  /** The messages announcing the pick; the first, when any, must be the channel post that later edits target. */
  buildMessages: (pick: PickForPost) => OutboxMessage[];
  /** The help-desk note and webhook event a pick sends, where set up; none when absent. */
  outgoing?: Outgoing | undefined;
}

/** What `runDailyPick` did: drew a complaint, recorded an empty day, or found the date already done. */
export interface DailyPickResult {
  status: 'picked' | 'empty' | 'already_picked';
  pick: PickRecord;
}

/**
 * The daily pick, exactly once per date, however many instances or operators ask at once. In one transaction:
 * draw from the eligible pool, suggest an executive, store the pick, audit it and queue its messages. A second
 * call for the date writes nothing and returns the stored pick, so its post is never sent twice.
 */
export function runDailyPick(db: Kysely<Database>, input: DailyPickInput): Promise<DailyPickResult> {
  const random = input.random ?? cryptoRandomIndex;
  // PGlite has one connection: everything below must go through trx, never db, or it deadlocks.
  return db.transaction().execute(async (trx): Promise<DailyPickResult> => {
    await lockPicks(trx);
    const existing = await findPickByDate(trx, input.date);
    if (existing) return { status: 'already_picked', pick: toPickRecord(existing) };

    // Stored (so committed to) before the draw that uses it, in this transaction; a racing instance reads the same.
    const seed = await ensureWeekSeed(trx, seedWeekFor(input.now, input.timezone), input.now);
    await planWithoutParallelWorkers(trx);
    const pool = await findEligibleComplaintIds(trx, input);
    const draw = drawFromPool(pool, seed.seed, input.date);

    const suggested = await suggestExecutive(trx, input, random);

    const inserted = await insertPick(trx, {
      date: input.date,
      complaintId: draw.complaintId,
      poolSize: draw.poolSize,
      drawnIndex: draw.drawnIndex,
      poolHash: draw.poolHash,
      suggestedExecutive: suggested,
      trigger: input.trigger,
      // The draw's own clock, so the cooldown (which compares against `now`) means the same under a test clock.
      createdAt: input.now,
      poolIds: draw.poolIds,
      seedWeek: seed.weekStart,
      seedCommitment: seed.commitment,
    });
    if (!inserted) {
      // Another instance won the date between our check and our insert; its pick stands and its messages are queued.
      const winner = await findPickByDate(trx, input.date);
      if (!winner) throw new Error(`pick for ${input.date} conflicted but cannot be read back`);
      return { status: 'already_picked', pick: toPickRecord(winner) };
    }
    const pick = toPickRecord(inserted);

    await recordAudit(trx, {
      actor: input.actor,
      action: 'pick.drawn',
      complaintId: pick.complaintId,
      details: {
        date: pick.date,
        poolSize: pick.poolSize,
        drawnIndex: pick.drawnIndex,
        poolHash: pick.poolHash,
        seedWeek: seed.weekStart,
        seedCommitment: seed.commitment,
        suggested: pick.suggestedExecutive,
        trigger: pick.trigger,
      },
    });

    const complaint = await queuePickMessages(trx, pick, seed, input.buildMessages);
    if (complaint)
      await recordPicked(trx, input.outgoing, { pick, complaint, timezone: input.timezone, now: input.now });
    return { status: pick.complaintId === null ? 'empty' : 'picked', pick };
  });
}

/**
 * The executive to suggest for `input.date`: among those not away that day, the one with the fewest claims in the
 * rotation window, ties broken by `random`; null when everyone is away.
 */
async function suggestExecutive(
  trx: Transaction<Database>,
  input: Pick<DailyPickInput, 'date' | 'now' | 'executives'>,
  random: (n: number) => number,
): Promise<string | null> {
  const away = await findAwayExecutives(trx, input.date);
  const available = [...new Set(input.executives)].filter((u) => !away.has(u));
  const since = new Date(input.now.getTime() - ROTATION_WINDOW_DAYS * DAY_MS);
  const counts = await countRecentClaims(trx, available, since);
  return chooseSuggestedExecutive(
    available.map((userId) => ({ userId, recentClaims: counts.get(userId) ?? 0 })),
    random,
  );
}

/**
 * Queues a new pick's announcements; the first is its channel post, under the key later edits target. Returns the
 * picked complaint (null for an empty draw).
 */
async function queuePickMessages(
  trx: Transaction<Database>,
  pick: PickRecord,
  seed: Pick<StoredSeed, 'commitment' | 'weekStart'>,
  buildMessages: DailyPickInput['buildMessages'],
): Promise<Complaint | null> {
  const complaintRow = pick.complaintId === null ? undefined : await findComplaintById(trx, pick.complaintId);
  if (pick.complaintId !== null && !complaintRow) throw new Error(`picked complaint ${pick.complaintId} not found`);
  const complaint = complaintRow ? toComplaint(complaintRow) : null;
  const messages = buildMessages({
    pickId: pick.id,
    date: pick.date,
    poolSize: pick.poolSize,
    suggestedExecutive: pick.suggestedExecutive,
    trigger: pick.trigger,
    complaint,
    seedCommitment: seed.commitment,
    seedWeek: seed.weekStart,
  });
  const [first, ...rest] = messages;
  if (!first) return complaint;
  if (first.operation !== 'post') {
    throw new Error(`the first message of a pick must be its channel post, got '${first.operation}'`);
  }
  // Keys are fresh for a new pick; a leftover key would mean the message was already queued once.
  await enqueueMessage(trx, pickPostKey(pick.date), first);
  for (const [i, message] of rest.entries()) await enqueueMessage(trx, `pick:${pick.date}:${i + 1}`, message);
  return complaint;
}

/**
 * Why a complaint is or is not eligible right now, from the pure rule over facts read from the database.
 * Undefined when there is no such complaint.
 */
export async function explainEligibility(
  db: Kysely<Database>,
  complaintId: number,
  window: EligibilityWindow,
): Promise<{ eligible: boolean; reasons: string[] } | undefined> {
  const [facts] = await findEligibilityFacts(db, [complaintId]);
  if (!facts) return undefined;
  const picked = await findPickedCustomers(db, eligibilityCutoffs(window).pickedAfter);
  return isEligible(
    {
      id: facts.id,
      isMajor: facts.is_major,
      doNotCall: facts.do_not_call,
      closedAt: facts.closed_at,
      receivedAt: facts.received_at,
      becameMajorAt: facts.became_major_at,
      customer: { email: facts.customer_email, phone: facts.customer_phone, company: facts.customer_company },
      picked: Boolean(facts.picked),
      reached: Boolean(facts.reached),
      openClaim: Boolean(facts.open_claim),
      erased: facts.pii_erased_at !== null,
    },
    {
      ...window,
      pickedCustomers: picked.map((p) => ({
        complaintId: p.complaint_id,
        pickedAt: p.created_at,
        customer: { email: p.customer_email, phone: p.customer_phone, company: p.customer_company },
      })),
    },
  );
}
