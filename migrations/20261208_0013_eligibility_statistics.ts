import { type Kysely, sql } from 'kysely';

/**
 * Statistics on "when the complaint became major" (coalesce(became_major_at, received_at)), the eligibility window's
 * column. Its index (complaints_eligible_idx) is partial, and PostgreSQL takes no statistics from a partial index's
 * expression, so the planner guessed a third of all complaints fall in any window and chose a parallel scan of the
 * whole table: the daily pick over a million complaints went from 37 ms to 230 ms when the window moved from
 * received_at to this expression (bench, issue 15). Expression statistics (PostgreSQL 14+) give it the real
 * distribution, and the pick an index range scan again. ANALYZE fills them now rather than at the next autovacuum
 * (the embedded database has none: the retention job ANALYZEs it daily).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE STATISTICS complaints_major_since_stats ON (coalesce(became_major_at, received_at)) FROM complaints`.execute(
    db,
  );
  await sql`ANALYZE complaints`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP STATISTICS complaints_major_since_stats`.execute(db);
}
