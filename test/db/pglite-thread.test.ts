import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type DatabaseHandle, DataDirLockedError, openDatabase, openViaRunningBot } from '../../src/db/connection';
import type { CopyRow, CopyRows, TransactionWithCopy } from '../../src/db/copy';
import { embeddedSocket } from '../../src/db/embedded-server';
import { PREPARED } from '../../src/db/prepared';
import { createLogger } from '../../src/logger';
import { isDatabaseUnavailable } from '../../src/shared/errors';
import { waitFor } from '../helpers/wait-for';

// The embedded database as the bot and the CLI open it (openDatabase with no URL): PGlite in a worker thread of
// its own, served on a Unix socket, reached by a pg.Pool. Most tests share one database; those that close it,
// crash it or need another directory open their own.

const logger = createLogger('silent');

/** A logger that keeps every line. */
function capturingLogger() {
  const lines: { level: number; msg: string; [field: string]: unknown }[] = [];
  return { lines, logger: createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

/** The handle as openDatabase gives it for a directory: with transactionWithCopy (see pglite-thread.ts). */
type ThreadHandle = DatabaseHandle & { transactionWithCopy: TransactionWithCopy };

const open = async (dataDir: string, options: { serveLocalClients?: boolean; log?: typeof logger } = {}) =>
  (await openDatabase({
    dataDir,
    logger: options.log ?? logger,
    serveLocalClients: options.serveLocalClients ?? true,
    poolSize: 4,
  })) as ThreadHandle;

const rows = async (db: DatabaseHandle, table = 't') =>
  (await sql<{ who: string }>`SELECT who FROM ${sql.table(table)} ORDER BY id`.execute(db.db)).rows.map((r) => r.who);

/** A client of the socket, as a CLI command beside the bot is. */
async function socketClient(dataDir: string): Promise<pg.Client> {
  const socket = embeddedSocket(dataDir);
  const client = new pg.Client({ host: socket.dir, port: socket.port, user: 'postgres', database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function* generate(count: number, row: (i: number) => CopyRow): AsyncIterable<CopyRow> {
  for (let i = 0; i < count; i++) yield row(i);
}

let root: string;
let template: string;

// One new database for the file (PGlite's initdb takes seconds), copied, closed, for each database a test opens.
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-thread-'));
  template = path.join(root, 'template');
  await (await open(template, { serveLocalClients: false })).close();
}, 60_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A data directory of its own, holding a new database. */
function freshDataDir(name: string): string {
  const dataDir = path.join(root, name);
  fs.cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

describe('the embedded database in its worker thread', () => {
  let dataDir: string;
  let handle: ThreadHandle;

  beforeAll(async () => {
    dataDir = freshDataDir('shared');
    handle = await open(dataDir);
    await sql`CREATE TABLE t (id serial PRIMARY KEY, who text NOT NULL)`.execute(handle.db);
    await sql`CREATE TABLE copied (id int PRIMARY KEY, who text, tags text[])`.execute(handle.db);
  }, 60_000);

  it("prepares a marked statement once per connection, though every connection shares PGlite's one session", async () => {
    // More at once than the pool has connections, so each of the 4 prepares it, and later calls reuse it.
    const marked = () => sql<{ n: number }>`SELECT ${'x'}::text AS who, 1 AS n ${PREPARED}`.execute(handle.db);
    const results = await Promise.all(Array.from({ length: 12 }, marked));
    expect(results.map((r) => r.rows[0]?.n)).toEqual(Array(12).fill(1));
    const prepared = await sql<{ name: string }>`
      SELECT name FROM pg_prepared_statements WHERE name LIKE 'pickup\_%'`.execute(handle.db);
    expect(prepared.rows.length).toBeGreaterThanOrEqual(1);
    expect(prepared.rows.length).toBeLessThanOrEqual(4);
    expect(new Set(prepared.rows.map((r) => r.name)).size).toBe(prepared.rows.length);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('answers queries while the main event loop keeps turning', async () => {
    expect(handle.engine).toBe('pglite');
    await expect(handle.ping()).resolves.toBeUndefined();
    // A query of a few hundred milliseconds of WASM work: in this thread it would stall every timer until done.
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const { rows: result } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM generate_series(1, 2000000) g WHERE g % 7 = 0`.execute(handle.db);
    const took = performance.now() - started;
    clearInterval(ticker);
    expect(result).toEqual([{ n: 285714 }]);
    expect(took).toBeGreaterThan(100);
    expect(longestGap).toBeLessThan(took / 2);
  });

  it('refuses a second opener of the directory with the same clear error', async () => {
    const second = openDatabase({ dataDir, logger });
    await expect(second).rejects.toThrow(DataDirLockedError);
    await expect(second).rejects.toThrow(
      `The embedded database in ${dataDir} is in use by another Pickup process (pid ${process.pid}).`,
    );
    expect(fs.readFileSync(path.join(dataDir, 'pickup.lock'), 'utf8')).toBe(String(process.pid));
  });

  it('keeps transactions of concurrent callers whole and apart, each rollback undoing its own rows alone', async () => {
    await sql`TRUNCATE t`.execute(handle.db);
    const caller = (who: string, rollBack: boolean) => async () => {
      await handle.db
        .transaction()
        .execute(async (trx) => {
          await sql`INSERT INTO t (who) VALUES (${who})`.execute(trx);
          // As a service that awaits other I/O mid-transaction does: the other callers get the event loop.
          await new Promise((resolve) => setImmediate(resolve));
          await sql`INSERT INTO t (who) VALUES (${who})`.execute(trx);
          if (rollBack) throw new Error('changed its mind');
        })
        .catch((err: Error) => {
          if (err.message !== 'changed its mind') throw err;
        });
    };
    const loop = async (fn: () => Promise<void>) => {
      for (let i = 0; i < 10; i++) await fn();
    };
    await Promise.all([loop(caller('a', false)), loop(caller('b', true)), loop(caller('c', false))]);
    const all = await rows(handle);
    expect(all.filter((w) => w === 'a')).toHaveLength(20);
    expect(all.filter((w) => w === 'c')).toHaveLength(20);
    expect(all).not.toContain('b');
    // Each transaction's two rows are neighbours: no statement ran inside another caller's transaction.
    for (let i = 0; i < all.length; i += 2) expect(all[i + 1]).toBe(all[i]);
  });

  it("does not lose a commit that waited on another caller's transaction, which then rolled back", async () => {
    await sql`TRUNCATE t`.execute(handle.db);
    const cli = await socketClient(dataDir);
    try {
      let cliDone = false;
      let cliInsert: Promise<unknown> | undefined;
      await expect(
        handle.db.transaction().execute(async (trx) => {
          await sql`INSERT INTO t (who) VALUES ('bot')`.execute(trx);
          cliInsert = cli.query(`INSERT INTO t (who) VALUES ('cli')`).then(() => {
            cliDone = true;
          });
          // Round trips of this transaction's own: the CLI's insert has reached the thread, and waits.
          for (let i = 0; i < 5; i++) await sql`SELECT 1`.execute(trx);
          expect(cliDone).toBe(false);
          throw new Error('the bot changes its mind');
        }),
      ).rejects.toThrow('the bot changes its mind');
      await cliInsert;
      expect(await rows(handle)).toEqual(['cli']);
    } finally {
      await cli.end();
    }
  });

  it("hears NOTIFYs from its own queries and from a CLI command's, once each, and none rolled back", async () => {
    const heard: string[] = [];
    const stop = await handle.listen?.('pickup_settings', (payload) => heard.push(payload));
    const other: string[] = [];
    const stopOther = await handle.listen?.('pickup_other', (payload) => other.push(payload));
    const cli = await openViaRunningBot(new DataDirLockedError(dataDir, process.pid), logger);
    try {
      await sql`SELECT pg_notify('pickup_settings', 'from the bot')`.execute(handle.db);
      await cli.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_notify('pickup_settings', 'from the CLI')`.execute(trx);
      });
      await handle.db
        .transaction()
        .execute(async (trx) => {
          await sql`SELECT pg_notify('pickup_settings', 'rolled back')`.execute(trx);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await sql`SELECT pg_notify('pickup_other', 'elsewhere')`.execute(cli.db);
      await waitFor(() => heard.length === 2 && other.length === 1, { what: 'the notifications' });
      expect(heard).toEqual(['from the bot', 'from the CLI']);
      expect(other).toEqual(['elsewhere']);

      await stop?.();
      await sql`SELECT pg_notify('pickup_settings', 'after stop')`.execute(cli.db);
      await sql`SELECT pg_notify('pickup_other', 'still heard')`.execute(handle.db);
      await waitFor(() => other.length === 2, { what: 'the channel still listened to' });
      expect(heard).toEqual(['from the bot', 'from the CLI']);
    } finally {
      await cli.close();
      await stopOther?.();
    }
  });

  it('COPYs rows in chunks inside the transaction, which its rollback undoes', async () => {
    const row = (i: number): CopyRow => [i, i % 2 ? `tab\there ${i}` : null, ['a, b', `"${i}"`]];
    const count = await handle.transactionWithCopy(async (trx, copyRows) => {
      await sql`DELETE FROM copied`.execute(trx);
      // Over two chunks of COPY_CHUNK_ROWS (5,000), so three trips to the thread.
      return copyRows('copied', ['id', 'who', 'tags'], generate(12_000, row));
    });
    expect(count).toBe(12_000);
    const { rows: sample } = await sql<{ id: number; who: string | null; tags: string[] }>`
      SELECT id, who, tags FROM copied WHERE id IN (0, 11999) ORDER BY id`.execute(handle.db);
    expect(sample).toEqual([
      { id: 0, who: null, tags: ['a, b', '"0"'] },
      { id: 11999, who: 'tab\there 11999', tags: ['a, b', '"11999"'] },
    ]);

    await expect(
      handle.transactionWithCopy(async (trx, copyRows) => {
        await copyRows(
          'copied',
          ['id', 'who', 'tags'],
          generate(10, (i) => [100_000 + i, 'undone', []]),
        );
        expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM copied`.execute(trx)).rows[0]?.n).toBe(12_010);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const { rows: total } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM copied`.execute(handle.db);
    expect(total[0]?.n).toBe(12_000);
  });

  it('fails a COPY whose rows break a constraint, and rolls the whole transaction back', async () => {
    await sql`TRUNCATE t`.execute(handle.db);
    await expect(
      handle.transactionWithCopy(async (trx, copyRows) => {
        await sql`INSERT INTO t (who) VALUES ('before the copy')`.execute(trx);
        await copyRows(
          'copied',
          ['id', 'who', 'tags'],
          generate(2, () => [0, 'duplicate of row 0', []]),
        );
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await rows(handle)).toEqual([]);
  });

  it('refuses a COPY outside the transaction that asked for it', async () => {
    let kept: CopyRows | undefined;
    await handle.transactionWithCopy(async (_trx, copyRows) => {
      kept = copyRows;
    });
    const stale = kept as CopyRows;
    const one = () => generate(1, () => [200_000, 'stale', []]);
    // Nobody holds the session.
    await expect(stale('copied', ['id', 'who', 'tags'], one())).rejects.toThrow(
      /refused a COPY into copied: no transaction holds the session/,
    );
    // Another transaction holds it: the COPY would have joined that one.
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await stale('copied', ['id', 'who', 'tags'], one());
      }),
    ).rejects.toThrow(/refused a COPY into copied: the session is in another transaction/);
    const { rows: found } = await sql`SELECT id FROM copied WHERE id = 200000`.execute(handle.db);
    expect(found).toEqual([]);
  });
});

describe('closing and failing', () => {
  it('runs when DATA_DIR is too deep for a socket, on a private one, and closes once, releasing everything', async () => {
    // Over 107 bytes for DATA_DIR/socket/.s.PGSQL.5432: the bot still runs; CLI commands beside it cannot connect.
    const deep = path.join(root, 'd'.repeat(90));
    fs.cpSync(template, deep, { recursive: true });
    const { lines, logger: seen } = capturingLogger();
    const handle = await open(deep, { log: seen });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/cannot serve the embedded database to CLI/) }),
    );
    const served = lines.find((l) => /private socket/.test(l.msg));
    expect(served).toMatchObject({ level: 30, thread: 'embedded-database' });
    const privateSocket = String(served?.socket);
    expect(privateSocket.startsWith(os.tmpdir())).toBe(true);
    expect(fs.statSync(path.dirname(path.dirname(privateSocket))).mode & 0o777).toBe(0o700);
    await expect(openViaRunningBot(new DataDirLockedError(deep, process.pid), logger)).rejects.toThrow(
      /over the 10\d a Unix socket allows: use a shorter DATA_DIR/,
    );

    await sql`CREATE TABLE kept (who text)`.execute(handle.db);
    await sql`INSERT INTO kept VALUES ('survives a restart')`.execute(handle.db);
    await Promise.all([handle.close(), handle.close()]);
    await handle.close();
    expect(fs.existsSync(path.join(deep, 'pickup.lock'))).toBe(false);
    expect(fs.existsSync(path.dirname(path.dirname(privateSocket)))).toBe(false);
    await expect(handle.ping()).rejects.toThrow();

    const again = await open(deep, { serveLocalClients: false });
    try {
      expect((await sql<{ who: string }>`SELECT who FROM kept`.execute(again.db)).rows).toEqual([
        { who: 'survives a restart' },
      ]);
      // Not serving local clients: no socket in DATA_DIR at all.
      expect(fs.existsSync(path.join(deep, 'socket'))).toBe(false);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('fails fast when the thread dies: ping and queries reject, the death is logged, and close still releases', async () => {
    const dataDir = freshDataDir('crash');
    const { lines, logger: seen } = capturingLogger();
    const handle = await open(dataDir, { log: seen });
    await sql`CREATE TABLE t (who text)`.execute(handle.db);
    expect(handle.alive?.()).toBe(true);
    await crashThread(dataDir);
    await waitFor(() => lines.some((l) => l.level === 50), { what: 'the error logged' });
    const died = lines.find((l) => l.level === 50);
    expect(died?.msg).toMatch(/the embedded database thread died/);
    expect(died).toMatchObject({
      dataDir,
      err: { message: expect.stringMatching(/^The embedded database stopped \(PGlite failed: Program terminated/) },
    });

    const started = Date.now();
    const ping = handle.ping();
    await expect(ping).rejects.toMatchObject({ code: 'embedded_database_failed' });
    expect(isDatabaseUnavailable(await ping.catch((err: unknown) => err))).toBe(true);
    await expect(sql`SELECT 1`.execute(handle.db)).rejects.toThrow(/every query fails until Pickup is restarted/);
    expect(Date.now() - started).toBeLessThan(1_000);
    // Only a restart brings it back: liveness (/livez) says so.
    expect(handle.alive?.()).toBe(false);

    await handle.close();
    expect(fs.existsSync(path.join(dataDir, 'pickup.lock'))).toBe(false);
  }, 60_000);
});

/**
 * Kills PGlite in the thread as a real client can: a COPY FROM STDIN on the socket (psql's \copy does one). PGlite
 * cannot take CopyData from a client, and its backend exits.
 */
async function crashThread(dataDir: string): Promise<void> {
  const client = await socketClient(dataDir);
  const copy = client.query(copyFrom('COPY t FROM STDIN'));
  const failed = new Promise((resolve) => copy.on('error', resolve));
  copy.end('1\n');
  await failed;
  await client.end().catch(() => undefined);
}
