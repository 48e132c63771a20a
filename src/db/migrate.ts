import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import type { Logger } from '../logger';
import type { Database } from './schema';

/** Kysely's bookkeeping table: one row per applied migration. */
const MIGRATION_TABLE = 'kysely_migration';

/** Names of the migrations applied to this database (none when it was never migrated). */
async function appliedMigrationNames(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass(${MIGRATION_TABLE}) IS NOT NULL AS exists`.execute(
    db,
  );
  if (!rows[0]?.exists) return [];
  const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return applied.rows.map((r) => r.name);
}

/**
 * Applies every pending migration; returns the names applied. Throws with the failing migration's name.
 *
 * Several instances may start at once (a rolling upgrade): Kysely holds a PostgreSQL advisory lock while it migrates
 * and applies all pending migrations in one transaction, so one instance migrates and the others wait, then find
 * nothing to do. A database migrated by a newer Pickup (migrations this build does not know) is used as it is,
 * because every migration is additive; Kysely alone would refuse it, and an older instance could not restart.
 */
export async function migrateToLatest(db: Kysely<Database>, logger?: Logger): Promise<string[]> {
  const applied = await appliedMigrationNames(db);
  const newer = applied.filter((name) => !Object.hasOwn(migrations, name));
  const missing = Object.keys(migrations).filter((name) => !applied.includes(name));
  if (newer.length > 0 && missing.length > 0) {
    throw new Error(
      `This Pickup's migrations ${missing.join(', ')} were never applied, but a newer Pickup's (${newer.join(', ')}) were: ` +
        'this version cannot run on that database. Run the newer version.',
    );
  }
  if (newer.length > 0) {
    logger?.warn(
      { migrations: newer },
      'the database was migrated by a newer Pickup; this version runs on it as it is (migrations only add)',
    );
  }
  // Stand-ins for the newer migrations, so Kysely counts them as known; none of them ever runs here.
  const known: Record<string, Migration> = { ...migrations };
  for (const name of newer) known[name] = { up: async () => {} };
  return db.connection().execute(async (conn) => {
    // A migration may index a large table, and an instance that waits for another's lock waits as long as that
    // takes: neither fits the pool's statement_timeout. Only this session, reset before it returns to the pool.
    await sql`SET statement_timeout = 0`.execute(conn);
    try {
      const migrator = new Migrator({ db: conn, provider: { getMigrations: async () => known } });
      const result: MigrationResultSet = await migrator.migrateToLatest();
      if (result.error) {
        const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`Migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`, {
          cause: result.error,
        });
      }
      return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await sql`RESET statement_timeout`.execute(conn);
    }
  });
}
