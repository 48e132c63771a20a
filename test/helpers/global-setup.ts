import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPglite } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';

/**
 * Builds the migrated schema once per run: a PGlite snapshot (loading one costs ~1 s, creating one ~6 s),
 * and on Postgres a template database that each test file copies.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${Date.now()}`;
  process.env.JEST_RUN_ID = runId;
  const snapshot = path.join(os.tmpdir(), `pickup-test-snapshot-${runId}.tar`);
  process.env.PICKUP_TEST_SNAPSHOT = snapshot;

  const pglite = await PGlite.create();
  const handle = openPglite(pglite, () => pglite.close());
  await migrateToLatest(handle.db);
  // Dump after the pool has let go of its session, so the snapshot is consistent.
  await handle.db.destroy();
  const dump = await pglite.dumpDataDir('none');
  fs.writeFileSync(snapshot, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `pickup_tpl_${runId}`;
    process.env.PICKUP_TEST_TEMPLATE = template;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${template}`;
    const pool = new pg.Pool({ connectionString: u.toString(), max: 1 });
    const { Kysely, PostgresDialect } = await import('kysely');
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    await migrateToLatest(db as never);
    await db.destroy();
  }
}
