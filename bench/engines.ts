import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type DatabaseHandle, openDatabase, openPglite } from '../src/db/connection';
import { copyStatement, copyTextIntoPglite } from '../src/db/copy';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { createLogger } from '../src/logger';
import { onEarlyStop } from './cleanup';
import type { EngineName } from './options';

/** A query a traced Kysely ran, as sent (SQL and parameters) with its duration. */
export interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

/**
 * The two sides of an engine. 'raw' is the bench's own: seeding, the baselines, the traced runs and their plans.
 * 'pickup' is the Pickup under test's handle, opened as production opens it. On PostgreSQL both stay open. On
 * PGlite one data directory takes one PGlite at a time: 'raw' is an instance in this process, as the baselines have
 * always measured it, and 'pickup' is openDatabase's worker thread, as `npm start` runs it; switching closes one and
 * opens the other (a few tenths of a second on a seeded directory).
 */
export type EngineSide = 'raw' | 'pickup';

/** One database engine as the benchmarks use it. */
export interface Engine {
  name: EngineName;
  /**
   * Makes `side` the one in use, opening it if need be (on PGlite closing the other first); nothing when it already
   * is. An engine starts on 'raw'. Each member below names its side, and throws while the other one is in use.
   */
  use(side: EngineSide): Promise<void>;
  /** ('pickup') Pickup's own handle, opened the way production opens it: openDatabase (PGlite: its worker thread). */
  readonly handle: DatabaseHandle;
  /** ('raw') A plain pg pool for seeding and the baselines: as many connections as the baselines run concurrently. */
  readonly raw: pg.Pool;
  /**
   * ('raw') A Kysely for seeding and the baselines that call Pickup's query code (the primary-key lookup): on
   * PostgreSQL over Pickup's own pool, on PGlite over the in-process instance.
   */
  readonly rawDb: Kysely<Database>;
  /** Connections `raw` holds at most (PGlite: 1, it runs one session). */
  rawConnections: number;
  /** For spawned processes: the DATABASE_URL (Postgres) or undefined (PGlite gets its own DATA_DIR). */
  url: string | undefined;
  /** For spawned processes on PGlite: the data directory, usable once `release()` has closed it here. */
  dataDir: string | undefined;
  /** The server's version string. */
  version: string;
  /** ('raw') A Kysely over `raw` that records every query it runs into `queries`. */
  traced(): { db: Kysely<Database>; queries: CapturedQuery[]; close(): Promise<void> };
  /**
   * ('raw') Streams `text` (COPY text format) into `table (columns)` with COPY … FROM STDIN; resolves with the row
   * count.
   */
  copyIn(table: string, columns: readonly string[], text: string): Promise<number>;
  /**
   * Closes this process's connections but keeps the database, so a spawned Pickup can open it (PGlite serves one
   * process at a time). Nothing else may use the engine afterwards.
   */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** What the 'raw' side holds open. */
interface RawSide {
  pool: pg.Pool;
  db: Kysely<Database>;
  copyIn: Engine['copyIn'];
  /** Closes what this side opened (on PostgreSQL the pool alone: `db` is Pickup's handle's). */
  close(): Promise<void>;
}

/**
 * An engine's two sides and which is in use. With `reopen` (PGlite), only the side in use is open, and `use`
 * closes one before opening the other; without it (PostgreSQL), both were opened up front and stay open.
 */
class EngineSides {
  #using: EngineSide = 'raw';
  #raw: RawSide | undefined;
  #pickup: DatabaseHandle | undefined;
  #released = false;
  readonly #reopen: { raw(): Promise<RawSide>; pickup(): Promise<DatabaseHandle> } | undefined;

  constructor(
    raw: RawSide,
    pickup: DatabaseHandle | undefined,
    reopen?: { raw(): Promise<RawSide>; pickup(): Promise<DatabaseHandle> },
  ) {
    this.#raw = raw;
    this.#pickup = pickup;
    this.#reopen = reopen;
  }

  async use(side: EngineSide): Promise<void> {
    if (this.#released) throw new Error('the engine was released: nothing may use it any more');
    // A side whose opening failed is not open: the next use tries again.
    if (side === this.#using && (side === 'raw' ? this.#raw : this.#pickup)) return;
    this.#using = side;
    if (!this.#reopen) return;
    if (side === 'pickup') {
      await this.#closeRaw();
      this.#pickup ??= await this.#reopen.pickup();
    } else {
      await this.#closePickup();
      this.#raw ??= await this.#reopen.raw();
    }
  }

  get raw(): RawSide {
    if (this.#using !== 'raw' || !this.#raw) throw notInUse('raw');
    return this.#raw;
  }

  get pickup(): DatabaseHandle {
    if (this.#using !== 'pickup' || !this.#pickup) throw notInUse('pickup');
    return this.#pickup;
  }

  async release(): Promise<void> {
    this.#released = true;
    await this.#closeRaw();
    await this.#closePickup();
  }

  async #closeRaw(): Promise<void> {
    const raw = this.#raw;
    this.#raw = undefined;
    await raw?.close();
  }

  async #closePickup(): Promise<void> {
    const pickup = this.#pickup;
    this.#pickup = undefined;
    await pickup?.close();
  }
}

function notInUse(side: EngineSide): Error {
  return new Error(`the engine's '${side}' side is not in use: call engine.use('${side}') first`);
}

/** An Engine over `sides`: each member reaches the side it belongs to. */
function engineOver(
  sides: EngineSides,
  about: Pick<Engine, 'name' | 'rawConnections' | 'url' | 'dataDir' | 'version'>,
  release: () => Promise<void>,
  close: () => Promise<void>,
): Engine {
  return {
    ...about,
    use: (side) => sides.use(side),
    get handle() {
      return sides.pickup;
    },
    get raw() {
      return sides.raw.pool;
    },
    get rawDb() {
      return sides.raw.db;
    },
    traced: () => tracedKysely(sides.raw.pool),
    copyIn: (table, columns, text) => sides.raw.copyIn(table, columns, text),
    release,
    close,
  };
}

/** Runs `fn` once; later calls return the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

const OID_INT8 = 20;
const OID_NUMERIC = 1700;
const OID_DATE = 1082;

/** The same type parsing as src/db/connection.ts, so raw and traced queries see the values Pickup sees. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID_INT8 || oid === OID_NUMERIC) return (v: string) => Number(v);
    if (oid === OID_DATE) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const silent = createLogger('silent');

/** "PostgreSQL 15.20 (Debian …) on x86_64 …" → "PostgreSQL 15.20 (Debian …)". */
function shortVersion(version: string | undefined): string {
  return version?.split(' on ')[0] ?? 'unknown';
}

/** The server the bench uses: DATABASE_URL's, else the local one. */
export function postgresServerUrl(env: NodeJS.ProcessEnv): string {
  return env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates a fresh database on the server (never touching the database the URL names), migrates it, and opens it.
 * `close()` drops it again.
 */
export async function openPostgresEngine(serverUrl: string, rawConnections: number): Promise<Engine> {
  const name = `pickup_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const dropDatabase = async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  const forget = onEarlyStop(dropDatabase);
  try {
    // Statement timeout raised: seeding a million rows and building indexes takes longer than Pickup's 15 s.
    const handle = await openDatabase({ url, dataDir: '.', logger: silent, statementTimeoutMs: 600_000 });
    await migrateToLatest(handle.db);
    const raw = new pg.Pool({ connectionString: url, max: rawConnections, types: typeParsers });
    raw.on('error', (err) => console.error(`idle bench connection lost: ${err.message}`));
    const version = shortVersion((await raw.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v);
    const copyIn = async (table: string, columns: readonly string[], text: string) => {
      const client = await raw.connect();
      try {
        return await copyFromStdin(client, table, columns, text);
      } finally {
        client.release();
      }
    };
    const sides = new EngineSides({ pool: raw, db: handle.db, copyIn, close: () => raw.end() }, handle);
    const release = once(() => sides.release());
    return engineOver(
      sides,
      { name: 'postgres', rawConnections, url, dataDir: undefined, version },
      release,
      async () => {
        await release();
        await dropDatabase();
        forget();
      },
    );
  } catch (err) {
    await dropDatabase();
    forget();
    throw err;
  }
}

/**
 * PGlite on a fresh data directory in the temp dir (as `npm start` does on a first start), migrated, with the 'raw'
 * side open. `close()` removes the directory.
 */
export async function openPgliteEngine(): Promise<Engine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bench-pglite-'));
  const removeDir = async () => fs.rmSync(dir, { recursive: true, force: true });
  const forget = onEarlyStop(removeDir);
  const first = await openInProcessPglite(dir);
  await migrateToLatest(first.db);
  const version = shortVersion((await first.pool.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v);
  const sides = new EngineSides(first, undefined, {
    raw: () => openInProcessPglite(dir),
    // As the bot opens it (src/main.ts): PGlite in openDatabase's worker thread, serving DATA_DIR's socket too.
    pickup: () => openDatabase({ dataDir: dir, logger: silent, serveLocalClients: true }),
  });
  const release = once(() => sides.release());
  return engineOver(
    sides,
    { name: 'pglite', rawConnections: 1, url: undefined, dataDir: dir, version },
    release,
    async () => {
      await release();
      await removeDir();
      forget();
    },
  );
}

/** The 'raw' side on PGlite: an instance in this process on `dir`, with a one-connection pool over it. */
async function openInProcessPglite(dir: string): Promise<RawSide> {
  const pglite = await PGlite.create(dir);
  const handle = openPglite(pglite, async () => {
    await pglite.close();
  });
  // One session: PGlite serialises everything, and a second concurrent client would interleave transactions.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, types: typeParsers });
  pool.on('error', (err) => console.error(`idle bench connection lost: ${err.message}`));
  return {
    pool,
    db: handle.db,
    // PGlite's node-postgres bridge dies on CopyData (the instance exits); its own API reads COPY input from
    // /dev/blob instead, which is the embedded equivalent of FROM STDIN.
    copyIn: (table, columns, text) => copyTextIntoPglite(pglite, table, columns, text),
    async close() {
      await pool.end();
      await handle.close();
    },
  };
}

function tracedKysely(pool: pg.Pool): { db: Kysely<Database>; queries: CapturedQuery[]; close(): Promise<void> } {
  const queries: CapturedQuery[] = [];
  // A pool of our own over the same pool's connections would be ended by destroy(); wrap it so it is not.
  const borrowed = {
    connect: () => pool.connect(),
    end: async () => {},
  };
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: borrowed }),
    log(event) {
      if (event.level === 'query') {
        queries.push({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis });
      }
    },
  });
  return { db, queries, close: () => db.destroy() };
}

const COPY_CHUNK_BYTES = 256 * 1024;

/** COPY … FROM STDIN through pg-copy-streams, the text sent in CopyData messages of 256 KiB; resolves with its rows. */
async function copyFromStdin(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<number> {
  const data = Buffer.from(text, 'utf8');
  const chunks = function* () {
    for (let at = 0; at < data.length; at += COPY_CHUNK_BYTES) yield data.subarray(at, at + COPY_CHUNK_BYTES);
  };
  const copy = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
  await pipeline(Readable.from(chunks()), copy);
  return copy.rowCount;
}
