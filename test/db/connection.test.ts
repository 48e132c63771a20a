import { sql } from 'kysely';
import { openDatabase } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { describeOnPostgres, TEST_DATABASE_URL } from '../helpers/env';

// PGlite runs in this process and has no timer to cancel a statement with; the timeout is a PostgreSQL guard.
describeOnPostgres('SQL statement timeout (PostgreSQL)', () => {
  const open = (statementTimeoutMs?: number) =>
    openDatabase({
      url: TEST_DATABASE_URL,
      dataDir: '',
      logger: createLogger('silent'),
      poolSize: 1,
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
    });

  it('cancels a statement that runs past the limit, and the connection keeps working', async () => {
    const handle = await open(200);
    try {
      const started = Date.now();
      await expect(sql`SELECT pg_sleep(5)`.execute(handle.db)).rejects.toMatchObject({
        code: '57014',
        message: expect.stringMatching(/statement timeout/),
      });
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(handle.ping()).resolves.toBeUndefined();
    } finally {
      await handle.close();
    }
  });

  it('is 15 s by default on every pooled connection', async () => {
    const handle = await open();
    try {
      const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(handle.db);
      expect(rows[0]?.statement_timeout).toBe('15s');
    } finally {
      await handle.close();
    }
  });
});
