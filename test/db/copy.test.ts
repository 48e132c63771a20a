import { type Kysely, sql } from 'kysely';
import { insertRowsInBatches } from '../../src/db/bulk-insert.repository';
import { openDatabase } from '../../src/db/connection';
import { COPY_CHUNK_ROWS, type CopyRow, copyInChunks, copyStatement, toCopyLine } from '../../src/db/copy';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { ON_POSTGRES } from '../helpers/env';
import { createSocketTestDb, createTestDb, type SocketTestDb, type TestDb } from '../helpers/test-db';

// Bulk loading (src/db/copy.ts): COPY's text format, and DatabaseHandle.transactionWithCopy on each kind of
// connection: COPY FROM STDIN on PostgreSQL, COPY from /dev/blob on in-process PGlite, batched INSERTs through the
// bot's socket. The same rows must come back the same from each.

describe('toCopyLine', () => {
  const at = new Date('2026-11-23T10:00:00.123Z');

  it.each<[string, CopyRow, string]>([
    ['plain values, tab-separated, newline-terminated', ['abc', 42, 1.5], 'abc\t42\t1.5\n'],
    ['tab, newline, carriage return and backslash escaped', ['a\tb\nc\rd\\e'], 'a\\tb\\nc\\rd\\\\e\n'],
    ['NULL as \\N, and the text \\N kept as text', [null, '\\N'], '\\N\t\\\\N\n'],
    ['booleans as t and f, times in UTC ISO', [true, false, at], 't\tf\t2026-11-23T10:00:00.123Z\n'],
    ['an empty string stays empty, not NULL', ['', null], '\t\\N\n'],
    ['an empty array', [[]], '{}\n'],
    [
      'array elements quoted, so commas, braces, quotes and spaces stay inside',
      [['a,b', '{x}', 'say "hi"', ' padded ', 'NULL', '']],
      '{"a,b","{x}","say \\\\"hi\\\\""," padded ","NULL",""}\n',
    ],
    [
      'array elements with backslashes and tabs: escaped for the array, then for COPY',
      [['back\\slash', 'tab\there', 'line\nbreak']],
      '{"back\\\\\\\\slash","tab\\there","line\\nbreak"}\n',
    ],
  ])('%s', (_name, row, line) => {
    expect(toCopyLine(row)).toBe(line);
  });

  it('names the columns and the source in the COPY statement', () => {
    expect(copyStatement('t', ['a', 'b'], 'STDIN')).toBe('COPY t (a, b) FROM STDIN');
    expect(copyStatement('t', ['a'], "'/dev/blob'")).toBe("COPY t (a) FROM '/dev/blob'");
  });
});

describe('copyInChunks', () => {
  it('hands whole lines to the loader in chunks of the given size, and adds up what it loaded', async () => {
    const chunks: string[] = [];
    const loaded = await copyInChunks(
      rowsOf(Array.from({ length: 7 }, (_, i): CopyRow => [i])),
      async (text) => {
        chunks.push(text);
        return text.split('\n').length - 1;
      },
      3,
    );
    expect(loaded).toBe(7);
    expect(chunks).toEqual(['0\n1\n2\n', '3\n4\n5\n', '6\n']);
  });

  it('calls nothing for no rows', async () => {
    const load = jest.fn(async () => 0);
    expect(await copyInChunks(rowsOf([]), load)).toBe(0);
    expect(load).not.toHaveBeenCalled();
  });
});

const COLUMNS = ['id', 'label', 'flag', 'at', 'tags'];

/** Values COPY's text format must escape, and array elements the array syntax must quote. */
const TRICKY: CopyRow[] = [
  [1, 'plain', true, new Date('2026-11-23T10:00:00.123Z'), ['billing']],
  [
    2,
    'tab\there, newline\nthere, CRLF\r\n, back\\slash, \\N and \\t as text',
    false,
    new Date('2020-02-29T23:59:59Z'),
    ['a,b', '{braces}', 'say "hi"', 'back\\slash', 'tab\there', 'line\nbreak', ' padded ', '', 'NULL'],
  ],
  [3, null, null, null, []],
  [4, '\\N', true, new Date(0), ['\\N']],
  [5, 'Zoë paid 20 € — “quoted”', false, new Date('2026-01-01T00:00:00Z'), ['ünïcode', '€']],
];

/** TRICKY as the database gives it back. */
const TRICKY_READ = TRICKY.map(([id, label, flag, at, tags]) => ({ id, label, flag, at, tags }));

async function* rowsOf(rows: readonly CopyRow[]): AsyncGenerator<CopyRow> {
  for (const row of rows) yield row;
}

/** `count` generated rows, then the error, if any: a producer that fails mid-stream. */
async function* generated(count: number, failWith?: Error): AsyncGenerator<CopyRow> {
  for (let i = 0; i < count; i++) yield [1000 + i, `row ${i}`, i % 2 === 0, new Date(1_700_000_000_000 + i), [`t${i}`]];
  if (failWith) throw failWith;
}

const createProbe = (db: Kysely<Database>) =>
  sql`CREATE TABLE copy_probe (id integer PRIMARY KEY, label text, flag boolean, at timestamptz, tags text[])`.execute(
    db,
  );

const probeRows = async (db: Kysely<Database>) =>
  (await sql<Record<string, unknown>>`SELECT id, label, flag, at, tags FROM copy_probe ORDER BY id`.execute(db)).rows;

const probeCount = async (db: Kysely<Database>) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM copy_probe`.execute(db)).rows[0]?.n;

describe(`transactionWithCopy on the test database (${ON_POSTGRES ? 'PostgreSQL, COPY FROM STDIN' : 'PGlite, COPY from /dev/blob'})`, () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    await createProbe(db.db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(() => sql`TRUNCATE copy_probe`.execute(db.db));

  it('loads every value as it was given', async () => {
    const copied = await db.transactionWithCopy((_trx, copyRows) => copyRows('copy_probe', COLUMNS, rowsOf(TRICKY)));

    expect(copied).toBe(TRICKY.length);
    expect(await probeRows(db.db)).toEqual(TRICKY_READ);
  });

  it("loads in the work's own transaction, however many chunks the rows take", async () => {
    const rows = COPY_CHUNK_ROWS * 2 + 17;
    const result = await db.transactionWithCopy(async (trx, copyRows) => {
      await sql`INSERT INTO copy_probe (id, label) VALUES (1, 'before')`.execute(trx);
      const copied = await copyRows('copy_probe', COLUMNS, generated(rows));
      // The work sees its own rows before it commits.
      return { copied, seen: await probeCount(trx) };
    });

    expect(result).toEqual({ copied: rows, seen: rows + 1 });
    expect(await probeCount(db.db)).toBe(rows + 1);
  });

  it('rolls everything back when the producer fails mid-stream, rejects with its error, and the pool stays usable', async () => {
    // More rounds than the pool has connections: a connection kept, or handed back mid-COPY, would show.
    for (let round = 0; round < 12; round++) {
      const broke = new Error(`the file could not be read (round ${round})`);
      await expect(
        db.transactionWithCopy(async (trx, copyRows) => {
          await sql`INSERT INTO copy_probe (id, label) VALUES (1, 'before')`.execute(trx);
          return copyRows('copy_probe', COLUMNS, generated(round === 0 ? COPY_CHUNK_ROWS + 10 : 10, broke));
        }),
      ).rejects.toBe(broke);
    }

    expect(await probeCount(db.db)).toBe(0);
    expect(await db.transactionWithCopy((_trx, copyRows) => copyRows('copy_probe', COLUMNS, generated(3)))).toBe(3);
  });

  it('rolls everything back when the database refuses a row, with its error', async () => {
    const rows: CopyRow[] = [...TRICKY, [1, 'the same id again', true, null, []]];
    await expect(
      db.transactionWithCopy(async (trx, copyRows) => {
        await sql`INSERT INTO copy_probe (id, label) VALUES (99, 'before')`.execute(trx);
        return copyRows('copy_probe', COLUMNS, rowsOf(rows));
      }),
    ).rejects.toThrow(/duplicate key value violates unique constraint/);

    expect(await probeCount(db.db)).toBe(0);
    expect(await db.transactionWithCopy((_trx, copyRows) => copyRows('copy_probe', COLUMNS, rowsOf(TRICKY)))).toBe(5);
  });

  it('rolls back when the work fails after copying', async () => {
    await expect(
      db.transactionWithCopy(async (_trx, copyRows) => {
        await copyRows('copy_probe', COLUMNS, rowsOf(TRICKY));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await probeCount(db.db)).toBe(0);
  });

  (ON_POSTGRES ? it : it.skip)(
    "outlasts the pool's statement timeout, which a COPY would otherwise hit while its producer reads, and keeps it for the rest",
    async () => {
      const strict = await openDatabase({
        url: db.url,
        dataDir: '',
        logger: createLogger('silent'),
        statementTimeoutMs: 300,
      });
      try {
        async function* slowProducer(): AsyncGenerator<CopyRow> {
          yield [1, 'before the pause', true, null, []];
          // A producer slower than the timeout: a large file being parsed and validated.
          await new Promise((resolve) => setTimeout(resolve, 800));
          yield [2, 'after the pause', true, null, []];
        }

        const copied = await strict.transactionWithCopy((_trx, copyRows) =>
          copyRows('copy_probe', COLUMNS, slowProducer()),
        );

        expect(copied).toBe(2);
        await expect(sql`SELECT pg_sleep(1)`.execute(strict.db)).rejects.toThrow(/statement timeout/);
      } finally {
        await strict.close();
      }
    },
    30_000,
  );

  (ON_POSTGRES ? it : it.skip)(
    'does not hand a connection lost mid-COPY back to the pool',
    async () => {
      let terminated = false;
      async function* killedMidway(pid: number): AsyncGenerator<CopyRow> {
        yield* generated(100);
        await sql`SELECT pg_terminate_backend(${pid})`.execute(db.db);
        terminated = true;
        // The server is gone; the stream notices on one of these writes, or when it ends.
        yield* generated(5_000);
      }

      await expect(
        db.transactionWithCopy(async (trx, copyRows) => {
          const { pid } = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0] ?? {};
          if (pid === undefined) throw new Error('no backend pid');
          return copyRows('copy_probe', COLUMNS, killedMidway(pid));
        }),
      ).rejects.toThrow(/terminat|connection|ECONNRESET|EPIPE/i);

      expect(terminated).toBe(true);
      expect(await probeCount(db.db)).toBe(0);
      // The pool hands out its most recently released connection first: the lost one, had it been kept.
      expect(await db.transactionWithCopy((_trx, copyRows) => copyRows('copy_probe', COLUMNS, generated(3)))).toBe(3);
    },
    30_000,
  );
});

describe('batched INSERTs in place of COPY', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    await createProbe(db.db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(() => sql`TRUNCATE copy_probe`.execute(db.db));

  it('inserts the same values COPY would, in as many statements as the bind parameters need', async () => {
    // 5 columns allow 1,000 rows per statement: 2,345 rows take three, and the last one is short.
    const inserted = await db.db
      .transaction()
      .execute((trx) => insertRowsInBatches(trx, 'copy_probe', COLUMNS, rowsOf([...TRICKY, ...collect(2_340)])));

    expect(inserted).toBe(2_345);
    expect(await probeCount(db.db)).toBe(2_345);
    expect((await probeRows(db.db)).slice(0, TRICKY.length)).toEqual(TRICKY_READ);
  });

  it('keeps a wide table under 65,535 parameters per statement', async () => {
    const columns = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const row = columns.map((_, i) => i);
    // 100 columns allow 655 rows per statement; 1,000 rows would need 100,000 parameters in one.
    const inserted = await db.db.transaction().execute(async (trx) => {
      await sql`CREATE TEMP TABLE wide (${sql.join(columns.map((c) => sql`${sql.ref(c)} integer`))}) ON COMMIT DROP`.execute(
        trx,
      );
      return insertRowsInBatches(trx, 'wide', columns, rowsOf(Array.from({ length: 1_000 }, () => row)));
    });
    expect(inserted).toBe(1_000);
  });

  function collect(count: number): CopyRow[] {
    return Array.from({ length: count }, (_, i) => [1000 + i, `row ${i}`, true, null, [`t${i}`]]);
  }
});

describe("transactionWithCopy through the bot's socket (PGlite cannot take COPY data there: batched INSERTs)", () => {
  let served: SocketTestDb;

  beforeAll(async () => {
    served = await createSocketTestDb();
    await createProbe(served.bot.db);
  }, 60_000);
  afterAll(async () => {
    await served?.close();
  });
  beforeEach(() => sql`TRUNCATE copy_probe`.execute(served.bot.db));

  it('loads every value as it was given, in the transaction of the work', async () => {
    const copied = await served.cli.transactionWithCopy(async (trx, copyRows) => {
      await sql`INSERT INTO copy_probe (id, label) VALUES (99, 'before')`.execute(trx);
      return copyRows('copy_probe', COLUMNS, rowsOf(TRICKY));
    });

    expect(copied).toBe(TRICKY.length);
    expect(await probeRows(served.bot.db)).toEqual([
      ...TRICKY_READ,
      { id: 99, label: 'before', flag: null, at: null, tags: null },
    ]);
  });

  it('rolls everything back when the producer fails mid-stream, and the connection stays usable', async () => {
    const broke = new Error('the file could not be read');
    await expect(
      served.cli.transactionWithCopy(async (trx, copyRows) => {
        await sql`INSERT INTO copy_probe (id, label) VALUES (99, 'before')`.execute(trx);
        return copyRows('copy_probe', COLUMNS, generated(2_500, broke));
      }),
    ).rejects.toBe(broke);

    expect(await probeCount(served.bot.db)).toBe(0);
    expect(
      await served.cli.transactionWithCopy((_trx, copyRows) => copyRows('copy_probe', COLUMNS, generated(3))),
    ).toBe(3);
  });
});
