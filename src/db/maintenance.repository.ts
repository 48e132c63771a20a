import { type Kysely, sql } from 'kysely';
import type { Database } from './schema';

/**
 * Refreshes the planner's statistics. PostgreSQL's autovacuum does this by itself; PGlite runs no autovacuum,
 * and without statistics its plans for the pick and the digest degrade from milliseconds to seconds at scale
 * (bench/README.md). So the embedded database gets it at start-up, nightly, and after a bulk import.
 */
export async function refreshStatistics(db: Kysely<Database>): Promise<void> {
  await sql`ANALYZE`.execute(db);
}
