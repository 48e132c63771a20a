import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import {
  type DatabaseHandle,
  DataDirLockedError,
  openDatabase,
  openPglite,
  openViaRunningBot,
} from '../../src/db/connection';
import { SessionLock, startEmbeddedServer } from '../../src/db/embedded-server';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { TEST_DATABASE_URL, withDatabase } from './env';
import { waitFor } from './wait-for';

/** A fresh database for one test file; `url` is set on Postgres so child processes can share it. */
export interface TestDb extends DatabaseHandle {
  url: string | undefined;
}

const quietLogger = createLogger('silent');

/**
 * A fresh, fully migrated database: PGlite from the run's snapshot by default, or a new Postgres
 * database copied from the run's template when TEST_DATABASE_URL is set. Close it in afterAll.
 */
export async function createTestDb(options: { poolSize?: number } = {}): Promise<TestDb> {
  if (TEST_DATABASE_URL) {
    const template = process.env.PICKUP_TEST_TEMPLATE;
    if (!template) throw new Error('globalSetup did not create the template database');
    const name = `pickup_t_${process.env.JEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await createFromTemplate(admin, name, template);
    } finally {
      await admin.end();
    }
    const url = withDatabase(TEST_DATABASE_URL, name);
    const handle = await openDatabase({ url, dataDir: '', logger: quietLogger, poolSize: options.poolSize ?? 10 });
    return {
      ...handle,
      url,
      async close() {
        await handle.close();
        const drop = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await drop.connect();
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await drop.end();
      },
    };
  }
  const snapshot = process.env.PICKUP_TEST_SNAPSHOT;
  if (!snapshot || !fs.existsSync(snapshot)) throw new Error('globalSetup did not create the PGlite snapshot');
  const pglite = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(snapshot)]) });
  return { ...openPglite(pglite, () => pglite.close()), url: undefined };
}

/** A migrated embedded database as a CLI command beside a running bot reaches it: `bot` holds it, `cli` goes through its socket. */
export interface SocketTestDb {
  bot: DatabaseHandle;
  cli: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * A fresh PGlite (from the run's snapshot, whichever engine the run is on) served on a Unix socket as the bot serves
 * it, and a handle opened through that socket as the CLI opens one when the bot holds DATA_DIR. Close it in afterAll.
 */
export async function createSocketTestDb(): Promise<SocketTestDb> {
  const snapshot = process.env.PICKUP_TEST_SNAPSHOT;
  if (!snapshot || !fs.existsSync(snapshot)) throw new Error('globalSetup did not create the PGlite snapshot');
  const pglite = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(snapshot)]) });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-sock-'));
  const lock = new SessionLock();
  const bot = openPglite(pglite, () => pglite.close(), lock);
  const server = await startEmbeddedServer({ pglite, lock, dataDir, logger: quietLogger });
  const cli = await openViaRunningBot(new DataDirLockedError(dataDir, process.pid), quietLogger);
  return {
    bot,
    cli,
    async close() {
      await cli.close();
      await server.stop();
      await bot.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  // Two workers copying the template at the same instant can collide ("being accessed by other users").
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (err) {
      if (attempt >= 10 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

/** A new, empty (never migrated) database on the TEST_DATABASE_URL server, for tests of migrating itself. */
export async function createEmptyPostgresDb(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('createEmptyPostgresDb needs TEST_DATABASE_URL');
  const admin = TEST_DATABASE_URL;
  const name = `pickup_t_${process.env.JEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return {
    url: withDatabase(admin, name),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The tables Pickup fills as it runs: not the migrator's own, nor the one-row installation record. */
const DOMAIN_TABLES = [
  'complaints',
  'picks',
  'draw_seeds',
  'claims',
  'call_attempts',
  'advocacy_evidence',
  'digests',
  'executive_away',
  'outbox',
  'audit_log',
] as const satisfies readonly (keyof Database)[];

/**
 * Empties every domain table (and, by CASCADE, any table that references one), so each test in a file that
 * shares one database starts from nothing. Ids keep counting, so an id left over from an earlier test never
 * names a new row.
 */
export async function emptyTables(db: Kysely<Database>): Promise<void> {
  await sql`TRUNCATE ${sql.join(DOMAIN_TABLES.map((t) => sql.table(t)))} CASCADE`.execute(db);
}

/**
 * Resolves once the outbox holds nothing still to send (none pending, none leased): every message a running app or
 * bot process was asked to deliver has reached the fake Slack, and none of it can land in the next test's.
 */
export async function waitForOutboxIdle(db: Kysely<Database>, timeoutMs = 5_000): Promise<void> {
  await waitFor(
    async () => {
      const { n } = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(n) === 0;
    },
    { timeoutMs, what: 'the outbox to send everything queued' },
  );
}

/**
 * Forgets every saved setting, its audit and any uninstall mark, keeping the workspace's record (its team id), and
 * makes each running instance re-read them at once: each test of a file that shares one app then starts from the
 * environment's settings, whichever tests ran before it.
 */
export async function resetSettings(
  db: Kysely<Database>,
  ...instances: { settings: { refresh(): Promise<void> } }[]
): Promise<void> {
  await sql`DELETE FROM settings_changes`.execute(db);
  await sql`UPDATE workspace_settings SET "values" = '{}'::jsonb, version = version + 1, uninstalled_at = NULL, uninstall_reason = NULL`.execute(
    db,
  );
  for (const instance of instances) await instance.settings.refresh();
}
