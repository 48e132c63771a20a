import { type Kysely, sql } from 'kysely';

/**
 * Two times on each complaint, so intake can order what help desks send and eligibility can age what matters:
 * - `source_updated_at`: the vendor's own event or update time of the newest delivery applied. Help desks retry and
 *   deliver out of order; a delivery older than this one changes nothing.
 * - `became_major_at`: when the complaint last turned major. The eligibility window counts from here, so a ticket
 *   opened long ago that turns urgent today is a fresh major complaint.
 * Existing major complaints count as major since they were received, which is what the window measured until now.
 * The eligible-pool index moves to what the window now filters on (same name and predicate). It falls back to
 * `received_at` because during a rolling upgrade the previous release still inserts major rows without this column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE complaints ADD COLUMN source_updated_at timestamptz, ADD COLUMN became_major_at timestamptz`.execute(
    db,
  );
  await sql`UPDATE complaints SET became_major_at = received_at WHERE is_major`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_eligible_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_eligible_idx ON complaints ((coalesce(became_major_at, received_at)) DESC, id)
    WHERE is_major AND NOT do_not_call AND closed_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_eligible_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_eligible_idx ON complaints (received_at DESC, id)
    WHERE is_major AND NOT do_not_call AND closed_at IS NULL`.execute(db);
  await sql`ALTER TABLE complaints DROP COLUMN source_updated_at, DROP COLUMN became_major_at`.execute(db);
}
