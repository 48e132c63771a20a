import fs from 'node:fs';
import pg from 'pg';

/** Removes the snapshot and every database this run created on Postgres. */
export default async function globalTeardown(): Promise<void> {
  const snapshot = process.env.PICKUP_TEST_SNAPSHOT;
  if (snapshot) fs.rmSync(snapshot, { force: true });
  const url = process.env.TEST_DATABASE_URL;
  const runId = process.env.JEST_RUN_ID;
  if (!url || !runId) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`pickup_tpl_${runId}`, `pickup_t_${runId}_%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
