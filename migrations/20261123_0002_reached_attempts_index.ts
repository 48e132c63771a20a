import { type Kysely, sql } from 'kysely';

/**
 * Indexes the benchmarks showed missing (bench/README.md has the plans).
 * The daily pick's "no reached call" rule is an anti-join against call_attempts; without this index it read the
 * whole table (every attempt ever logged) to hash the reached ones, the largest single cost of the pick at
 * 100 k attempts. A partial index holds only reached calls, so the join reads a small index instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS call_attempts_reached_idx ON call_attempts (complaint_id) WHERE outcome = 'reached'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS call_attempts_reached_idx`.execute(db);
}
