import type { Db, DrawSeedRow } from '../db/schema';
import { addDays, weekOf } from '../shared/time';
import {
  commitTo,
  type DrawVerification,
  generateSeed,
  type PublishedSeeds,
  type StoredSeed,
  seedRevealsAt,
  seedWeekFor,
  verifyStoredDraw,
} from './draw';
import { ensureDrawSeed, findDrawSeed } from './draw.repository';
import { findPickByDate } from './pick.repository';

function toStoredSeed(row: DrawSeedRow): StoredSeed {
  return { weekStart: row.week_start, seed: row.seed, commitment: row.commitment };
}

/** A week's seed, generated and stored (so committed to) if the week has none yet; every instance gets the same one. */
export async function ensureWeekSeed(db: Db, weekStart: string, now: Date): Promise<StoredSeed> {
  return toStoredSeed(await ensureDrawSeed(db, freshSeed(weekStart, now)));
}

function freshSeed(weekStart: string, now: Date) {
  const seed = generateSeed();
  return { weekStart, seed, commitment: commitTo(seed), createdAt: now };
}

/** What `verify --date` found; 'no_pick' when the date was never drawn. */
export type DateVerification = DrawVerification | { status: 'no_pick'; date: string };

/** Re-checks the stored draw of a date against its stored pool and its week's seed (see `verifyStoredDraw`). */
export async function verifyDrawOfDate(
  db: Db,
  input: { date: string; now: Date; timezone: string },
): Promise<DateVerification> {
  const pick = await findPickByDate(db, input.date);
  if (!pick) return { status: 'no_pick', date: input.date };
  const seedRow = pick.seed_week === null ? undefined : await findDrawSeed(db, pick.seed_week);
  return verifyStoredDraw(
    {
      date: pick.pick_date,
      complaintId: pick.complaint_id,
      poolSize: pick.pool_size,
      drawnIndex: pick.drawn_index,
      poolHash: pick.pool_hash,
      poolIds: pick.pool_ids,
      seedWeek: pick.seed_week,
      seedCommitment: pick.seed_commitment,
      drawnAt: pick.created_at,
    },
    seedRow && toStoredSeed(seedRow),
    input.now,
    input.timezone,
  );
}

/**
 * The seeds a digest of the week starting `weekStart` publishes. It reveals the digest's own week when that week is
 * over (the usual Monday digest), else the week before; never a week still in progress. It shows the commitment of
 * the week in progress, creating its seed unless `create` is false (a dry run writes nothing), so the commitment
 * is public before that week's first pick.
 */
export async function findPublishedSeeds(
  db: Db,
  input: { weekStart: string; now: Date; timezone: string; create: boolean },
): Promise<PublishedSeeds> {
  const isOver = (week: string) => input.now.getTime() >= seedRevealsAt(week, input.timezone).getTime();
  const digestWeek = weekOf(input.weekStart).start;
  const revealWeek = isOver(digestWeek) ? digestWeek : addDays(digestWeek, -7);
  const revealedRow = isOver(revealWeek) ? await findDrawSeed(db, revealWeek) : undefined;
  const currentWeek = seedWeekFor(input.now, input.timezone);
  const currentRow = input.create
    ? await ensureDrawSeed(db, freshSeed(currentWeek, input.now))
    : await findDrawSeed(db, currentWeek);
  return {
    revealed: revealedRow ? toStoredSeed(revealedRow) : null,
    current: currentRow ? { weekStart: currentRow.week_start, commitment: currentRow.commitment } : null,
  };
}
