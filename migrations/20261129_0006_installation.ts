import { type Kysely, sql } from 'kysely';

/**
 * One row recording when Pickup was first started, so the automatic weekly digest never reports on a week that
 * ended before Pickup existed (a new install would otherwise greet leadership with last week's empty digest).
 * The start-up writes it once; an install older than this table gets the earliest thing it ever recorded instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE installation (
      id                smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      first_started_at  timestamptz NOT NULL
    )`.execute(db);
  // created_at, never received_at: a CSV backfill carries old received dates, but Pickup stored them only now.
  await sql`
    INSERT INTO installation (first_started_at)
    SELECT min(earliest) FROM (
      SELECT min(created_at) AS earliest FROM complaints
      UNION ALL SELECT min(created_at) FROM picks
      UNION ALL SELECT min(created_at) FROM digests
      UNION ALL SELECT min(created_at) FROM outbox
      UNION ALL SELECT min(at) FROM audit_log
    ) AS recorded
    HAVING min(earliest) IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS installation`.execute(db);
}
