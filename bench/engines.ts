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

/** One database engine as the benchmarks use it. */
export interface Engine {
  name: EngineName;
  /** Pickup's own handle, opened the way production opens it. */
  handle: DatabaseHandle;
  /** A plain pg pool for seeding and the baselines: as many connections as the baselines run concurrently. */
  raw: pg.Pool;
  /** Connections `raw` holds at most (PGlite: 1, it runs one session). */
  rawConnections: number;
  /** For spawned processes: the DATABASE_URL (Postgres) or undefined (PGlite gets its own DATA_DIR). */
  url: string | undefined;
  /** For spawned processes on PGlite: the data directory, usable once `release()` has closed it here. */
  dataDir: string | undefined;
  /** The server's version string. */
  version: string;
  /** A Kysely over `raw` that records every query it runs into `queries`. */
  traced(): { db: Kysely<Database>; queries: CapturedQuery[]; close(): Promise<void> };
  /** Streams `text` (COPY text format) into `table (columns)` with COPY … FROM STDIN; resolves with the row count. */
  copyIn(table: string, columns: readonly string[], text: string): Promise<number>;
  /**
   * Closes this process's connections but keeps the database, so a spawned Pickup can open it (PGlite serves one
   * process at a time). Nothing else may use the engine afterwards.
   */
  release(): Promise<void>;
  close(): Promise<void>;
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
    const release = once(async () => {
      await raw.end();
      await handle.close();
    });
    return {
      name: 'postgres',
      handle,
      raw,
      rawConnections,
      url,
      dataDir: undefined,
      version,
      traced: () => tracedKysely(raw),
      copyIn,
      release,
      async close() {
        await release();
        await dropDatabase();
        forget();
      },
    };
  } catch (err) {
    await dropDatabase();
    forget();
    throw err;
  }
}

/**
 * Opens PGlite on a fresh data directory in the temp dir (as `npm start` does on a first start), migrated.
 * `close()` removes the directory.
 */
export async function openPgliteEngine(): Promise<Engine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bench-pglite-'));
  const removeDir = async () => fs.rmSync(dir, { recursive: true, force: true });
  const forget = onEarlyStop(removeDir);
  const pglite = await PGlite.create(dir);
  const handle = openPglite(pglite, async () => {
    await pglite.close();
  });
  await migrateToLatest(handle.db);
  // One session: PGlite serialises everything, and a second concurrent client would interleave transactions.
  const raw = new pg.Pool({ ...createPgConfig(pglite), max: 1, types: typeParsers });
  raw.on('error', (err) => console.error(`idle bench connection lost: ${err.message}`));
  const version = shortVersion((await raw.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v);
  const release = once(async () => {
    await raw.end();
    await handle.close();
  });
  return {
    name: 'pglite',
    handle,
    raw,
    rawConnections: 1,
    url: undefined,
    dataDir: dir,
    release,
    version,
    traced: () => tracedKysely(raw),
    // PGlite's node-postgres bridge dies on CopyData (the instance exits); its own API reads COPY input from
    // /dev/blob instead, which is the embedded equivalent of FROM STDIN.
    copyIn: (table, columns, text) => copyTextIntoPglite(pglite, table, columns, text),
    async close() {
      await release();
      await removeDir();
      forget();
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
