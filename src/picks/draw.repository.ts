import type { Db, DrawSeedRow } from '../db/schema';

/**
 * The week's seed, storing `candidate` first if the week has none. INSERT ... ON CONFLICT DO NOTHING and then a read,
 * so every instance racing here ends up with the one seed that was stored first, never its own candidate.
 */
export async function ensureDrawSeed(
  db: Db,
  candidate: { weekStart: string; seed: string; commitment: string; createdAt: Date },
): Promise<DrawSeedRow> {
  await db
    .insertInto('draw_seeds')
    .values({
      week_start: candidate.weekStart,
      seed: candidate.seed,
      commitment: candidate.commitment,
      created_at: candidate.createdAt,
    })
    .onConflict((oc) => oc.column('week_start').doNothing())
    .execute();
  // A separate statement: under READ COMMITTED it sees the row a concurrent winner committed while we waited.
  const row = await findDrawSeed(db, candidate.weekStart);
  if (!row) throw new Error(`the draw seed of the week of ${candidate.weekStart} was not stored`);
  return row;
}

/** The seed of a week (its Monday, YYYY-MM-DD), if one was stored. */
export async function findDrawSeed(db: Db, weekStart: string): Promise<DrawSeedRow | undefined> {
  return db.selectFrom('draw_seeds').selectAll().where('week_start', '=', weekStart).executeTakeFirst();
}
