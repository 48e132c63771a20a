import { sql } from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations';
import { openDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { describeOnPostgres } from '../helpers/env';
import { createEmptyPostgresDb, createTestDb, type TestDb } from '../helpers/test-db';

// What the README's "Upgrading" section promises of several instances and of versions side by side.

const OURS = Object.keys(migrations).sort();
const FROM_THE_FUTURE = '29991231_0001_from_a_newer_pickup';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('a database migrated by a newer Pickup', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createTestDb({ poolSize: 2 });
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${FROM_THE_FUTURE}, ${new Date().toISOString()})`.execute(
      db.db,
    );
  });
  afterEach(() => db.close());

  it('is used as it is, with a warning: an older instance can still restart during a rolling upgrade', async () => {
    const { logger, lines } = capturingLogger();
    expect(await migrateToLatest(db.db, logger)).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, migrations: [FROM_THE_FUTURE], msg: expect.stringMatching(/newer Pickup/) }),
    ]);
    await db.ping();
  });

  it("is refused, saying why, when one of this version's own migrations was never applied to it", async () => {
    const last = OURS.at(-1) ?? '';
    await sql`DELETE FROM kysely_migration WHERE name = ${last}`.execute(db.db);
    await expect(migrateToLatest(db.db)).rejects.toThrow(
      `This Pickup's migrations ${last} were never applied, but a newer Pickup's (${FROM_THE_FUTURE}) were`,
    );
  });
});

/** Kysely's PostgresAdapter takes this session advisory lock while it migrates (kysely/dialect/postgres). */
const KYSELY_MIGRATION_LOCK = '3853314791062309107';

describeOnPostgres('several instances migrating one PostgreSQL database (PGlite serves one process)', () => {
  const logger = createLogger('silent');

  it('lets one instance apply everything while the others wait and then find nothing to do', async () => {
    const empty = await createEmptyPostgresDb();
    const handles = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ url: empty.url, dataDir: '', logger, poolSize: 2 })),
    );
    try {
      const results = await Promise.all(handles.map((h) => migrateToLatest(h.db)));
      expect(results.map((r) => r.length).sort()).toEqual([0, 0, OURS.length]);
      expect(results.flat()).toEqual(OURS);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(
        handles[0]?.db ?? (undefined as never),
      );
      expect(rows[0]?.n).toBe(OURS.length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await empty.drop();
    }
  });

  it("waits for another instance's migration longer than statement_timeout, and leaves the timeout as it was", async () => {
    const empty = await createEmptyPostgresDb();
    const handle = await openDatabase({ url: empty.url, dataDir: '', logger, poolSize: 1, statementTimeoutMs: 300 });
    const other = new pg.Client({ connectionString: empty.url });
    await other.connect();
    try {
      // Another instance "migrating": it holds Kysely's lock for five statement timeouts.
      await other.query(`SELECT pg_advisory_lock(${KYSELY_MIGRATION_LOCK})`);
      const started = Date.now();
      const migrating = migrateToLatest(handle.db);
      // Holding the lock for 1.5 s is the behaviour under test (a wait longer than statement_timeout), not a
      // guess at how long something takes: this timer stays.
      const released = new Promise<void>((resolve) =>
        setTimeout(
          () => other.query(`SELECT pg_advisory_unlock(${KYSELY_MIGRATION_LOCK})`).then(() => resolve()),
          1_500,
        ),
      );
      const applied = await migrating;
      await released;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(applied).toEqual(OURS);
      const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(handle.db);
      expect(rows[0]?.statement_timeout).toBe('300ms');
    } finally {
      await other.end();
      await handle.close();
      await empty.drop();
    }
  });
});
