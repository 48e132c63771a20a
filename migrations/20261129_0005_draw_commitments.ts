import { type Kysely, sql } from 'kysely';

/**
 * Commit-reveal for the daily draw. Each week gets one secret seed, stored before the first pick that uses it; its
 * SHA-256 is published with every pick and in the digest, and the seed itself once the week is over. A pick keeps
 * the ids of its pool and the week of the seed it used, so anyone can recompute the draw (`verify --date`).
 * Picks made before this migration keep NULL in the new columns: they predate verifiable draws.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The primary key is what makes two instances agree on one seed: both INSERT ... ON CONFLICT DO NOTHING, then read.
  await sql`
    CREATE TABLE draw_seeds (
      week_start  date PRIMARY KEY CHECK (extract(isodow FROM week_start) = 1),
      seed        text NOT NULL CHECK (seed ~ '^[0-9a-f]{64}$'),
      commitment  text NOT NULL CHECK (commitment ~ '^[0-9a-f]{64}$'),
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    ALTER TABLE picks
      ADD COLUMN pool_ids        bigint[],
      ADD COLUMN seed_week       date REFERENCES draw_seeds (week_start),
      ADD COLUMN seed_commitment text,
      ADD CONSTRAINT picks_draw_recorded CHECK (
        (pool_ids IS NULL) = (seed_week IS NULL) AND (seed_week IS NULL) = (seed_commitment IS NULL)),
      ADD CONSTRAINT picks_pool_ids_size CHECK (pool_ids IS NULL OR cardinality(pool_ids) = pool_size)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE picks
      DROP CONSTRAINT IF EXISTS picks_pool_ids_size,
      DROP CONSTRAINT IF EXISTS picks_draw_recorded,
      DROP COLUMN IF EXISTS seed_commitment,
      DROP COLUMN IF EXISTS seed_week,
      DROP COLUMN IF EXISTS pool_ids`.execute(db);
  await sql`DROP TABLE IF EXISTS draw_seeds`.execute(db);
}
