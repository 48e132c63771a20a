import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger';
import { PickupError } from '../shared/errors';
import { insertRowsInBatches } from './bulk-insert.repository';
import { chunkedTransactionWithCopy, copyIntoPostgres, copyTextIntoPglite, type TransactionWithCopy } from './copy';
import { embeddedSocket, SessionLock, socketPathProblem } from './embedded-server';
import { type PgliteThread, startPgliteThread, transactionWithCopyInThread } from './pglite-thread';
import { preparingPool, preparingQuery } from './prepared';
import type { Database } from './schema';

/** An open database and what the process needs to manage it. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * LISTENs on a notification channel (settings changes): `onNotify` gets each NOTIFY's payload, from this process
   * or another; resolves with how to stop. Absent where notifications cannot be received (the CLI's connections).
   */
  listen?: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;
  /**
   * Runs `work` in one transaction with a way to bulk-load rows inside it (see src/db/copy.ts): COPY FROM STDIN on
   * PostgreSQL, COPY from PGlite's /dev/blob in chunks on the embedded database, multi-row INSERTs where the
   * connection cannot carry COPY data (the bot's socket). An error, in `work` or mid-COPY, rolls it all back.
   */
  transactionWithCopy: TransactionWithCopy;
  /**
   * False once the database can never answer again in this process: the embedded database's thread died, and only a
   * restart brings it back. Absent where an outage can end by itself (a PostgreSQL server comes back).
   */
  alive?: () => boolean;
  close(): Promise<void>;
}

/** Thrown when another process already holds the embedded database directory. */
export class DataDirLockedError extends PickupError<'data_dir_locked'> {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      'data_dir_locked',
      `The embedded database in ${dataDir} is in use by another Pickup process (pid ${pid}). ` +
        'PGlite allows one process per data directory: stop the other one, or set DATABASE_URL to share a PostgreSQL server.',
    );
  }
}

const OID_INT8 = 20;
const OID_NUMERIC = 1700;
const OID_DATE = 1082;
const OID_INT8_ARRAY: number = 1016;
const parseInt8Array = pg.types.getTypeParser(OID_INT8_ARRAY, 'text') as (v: string) => (string | null)[];

/**
 * Type parsers shared by both engines: bigint ids (also in arrays) and counts come back as numbers (they stay far below 2^53),
 * and `date` columns stay as YYYY-MM-DD strings instead of becoming local-midnight Dates.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID_INT8 || oid === OID_NUMERIC) return (v: string) => Number(v);
    if (oid === OID_DATE) return (v: string) => v;
    // A pick's pool ids (bigint[]): numbers like every other id, not the strings pg gives by default.
    if (oid === OID_INT8_ARRAY) return (v: string) => parseInt8Array(v).map((x) => (x === null ? null : Number(x)));
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** postgres:// URL; when unset, the embedded PGlite database in dataDir is used. */
  url?: string | undefined;
  dataDir: string;
  logger: Logger;
  /** Upper bound for any one SQL statement on PostgreSQL. */
  statementTimeoutMs?: number;
  poolSize?: number;
  /** Serve the embedded database to local CLI commands on a Unix socket in dataDir (the bot does). */
  serveLocalClients?: boolean;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite database in dataDir (created on first use). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options);
  return openPgliteDir(options);
}

function openPostgres(url: string, options: OpenDatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    types: typeParsers,
  });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on('error', (err) => options.logger.warn({ err }, 'idle database connection lost'));
  // pg-pool listens for a client's errors only while it is idle: a checked-out client whose server goes away
  // between two queries emits 'error' with no listener, which crashed the process when PostgreSQL stopped.
  // The query in flight fails on its own (the caller answers 503) and the pool drops the dead client on release.
  pool.on('connect', (client) => {
    client.on('error', (err) => options.logger.warn({ err }, 'database connection lost'));
  });
  const notifications = new PostgresNotifications(url, options.logger);
  return {
    ...wrap(
      preparingPool(pool),
      'postgres',
      () => postgresTransactionWithCopy(pool),
      () => Promise.resolve(),
      notifications.close,
    ),
    listen: notifications.listen,
  };
}

/**
 * transactionWithCopy on PostgreSQL: one client checked out for the whole transaction, a Kysely bound to that client
 * alone, and COPY FROM STDIN streamed on it. The pool's statement timeout is lifted for this transaction only: a
 * COPY lasts as long as its producer takes to read the input, and the statements after it scale with the rows
 * loaded. The client goes back to the pool, or is destroyed when it can no longer be used.
 */
function postgresTransactionWithCopy(pool: pg.Pool): TransactionWithCopy {
  return async (work) => {
    const client = await pool.connect();
    const single = new Kysely<Database>({ dialect: new PostgresDialect({ pool: singleClientPool(client) }) });
    let unusable: Error | undefined;
    let failed: { error: unknown } | undefined;
    try {
      return await single.transaction().execute(async (trx) => {
        await sql`SET LOCAL statement_timeout = 0`.execute(trx);
        try {
          return await work(trx, (table, columns, rows) => copyIntoPostgres(client, table, columns, rows));
        } catch (error) {
          failed = { error };
          throw error;
        }
      });
    } catch (err) {
      unusable = await rollbackProblem(client);
      // When the connection died, Kysely throws its failed ROLLBACK's error instead: the work's says what happened.
      throw failed ? failed.error : err;
    } finally {
      client.release(unusable);
    }
  };
}

/**
 * Why a client that just failed a transaction cannot be reused, or undefined when it can. Kysely has rolled back,
 * unless the connection died or the rollback itself failed; a second ROLLBACK answers (outside a transaction it only
 * warns) exactly when the session is idle and sound.
 */
async function rollbackProblem(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** A pool of one client that stays checked out: Kysely's releases leave it to the caller. */
function singleClientPool(client: pg.PoolClient): PostgresPool {
  const only: PostgresPoolClient = { query: client.query.bind(client) as PostgresPoolClient['query'], release() {} };
  return { connect: async () => only, end: async () => {} };
}

/**
 * The embedded database in dataDir, run by a worker thread of its own (pglite-thread.ts): PGlite's synchronous WASM
 * work no longer holds up this thread's event loop, which answers Slack. The thread serves the database on a Unix
 * socket, and this pool connects there like any PostgreSQL client, so every repository runs unchanged; the thread's
 * SessionLock gives each connection whole transactions in turn. The lock file is taken here, before the thread
 * starts: one process per data directory.
 */
async function openPgliteDir(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { logger } = options;
  const dir = path.resolve(options.dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const releaseLock = lockDataDir(dir);
  const relayed = new ChannelListeners();
  let thread: PgliteThread;
  try {
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      logger.info({ dataDir: dir }, 'creating the embedded database (first start takes a few seconds)');
    }
    thread = await startPgliteThread({
      dataDir: dir,
      logger,
      serveLocalClients: options.serveLocalClients === true,
      onNotification: (channel, payload) => relayed.deliver(channel, payload, logger),
    });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const pool = new pg.Pool({
    host: thread.socket.dir,
    port: thread.socket.port,
    user: 'postgres',
    database: 'postgres',
    max: options.poolSize ?? 10,
    // Connections to the thread cost it nothing idle, and a new one waits its turn for the session to start up.
    idleTimeoutMillis: 0,
    types: typeParsers,
  });
  // The thread's death is logged once, as an error; its connections going with it say nothing new.
  const lost = (err: Error) => {
    if (!thread.failed) logger.warn({ err }, 'lost a connection to the embedded database');
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  // Once the thread has died nothing answers: each query fails at once instead of trying the dead socket.
  const guarded = preparingPool({
    connect: async () => {
      thread.throwIfFailed();
      return pool.connect();
    },
    end: () => pool.end(),
  });
  const handle = wrap(
    guarded,
    'pglite',
    (db) => transactionWithCopyInThread(db, thread),
    async () => {
      try {
        await thread.stop();
      } finally {
        releaseLock();
      }
    },
  );
  return { ...handle, listen: threadListen(thread, relayed), alive: () => !thread.failed };
}

/**
 * LISTEN on the embedded database in its thread. Every query of this process reaches PGlite through the thread's
 * socket, so each NOTIFY (this process's or a CLI command's) comes out in some connection's traffic, where the
 * thread sees it and relays it here, into `relayed`. The thread runs LISTEN and UNLISTEN under the session lock.
 */
function threadListen(thread: PgliteThread, relayed: ChannelListeners): Listen {
  return async (channel, onNotify) => {
    const stopRelay = relayed.add(channel, onNotify);
    try {
      await thread.listen(channel);
    } catch (err) {
      stopRelay();
      throw err;
    }
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      stopRelay();
      // Nothing to undo once the thread has stopped (the bot's shutdown may stop listening after it).
      await thread.unlisten(channel);
    };
  };
}

/**
 * Wraps an already created PGlite instance (tests load one from a snapshot). `onClose` runs after the pool ends.
 * Each checkout of the pool holds `lock`, PGlite's one session, which local socket clients take turns on too.
 * `relayed` carries the notifications the embedded server saw in its clients' traffic (see {@link pgliteListen}).
 */
export function openPglite(
  pglite: PGlite,
  onClose: () => Promise<void>,
  lock = new SessionLock(),
  relayed = new ChannelListeners(),
): DatabaseHandle {
  const pool = new pg.Pool({ ...createPgConfig(pglite), types: typeParsers });
  // The transaction's checkout holds the session lock, so each chunk's COPY runs inside that transaction.
  const copying = (db: Kysely<Database>) =>
    chunkedTransactionWithCopy(db, (table, columns, text) => copyTextIntoPglite(pglite, table, columns, text));
  return { ...wrap(lockedPool(pool, lock), 'pglite', copying, onClose), listen: pgliteListen(pglite, lock, relayed) };
}

/**
 * LISTEN on PGlite, through its own listen API: PGlite hands it the NOTIFYs that come out of the bot's queries
 * (its node-postgres adapter parses them). A NOTIFY committed by a CLI command on the embedded server's socket comes
 * out in that client's raw traffic instead, which PGlite never parses: the server relays those through `relayed`.
 * The session lock is held around LISTEN and UNLISTEN, so neither lands inside a transaction of the bot's (a
 * LISTEN there would be undone by its rollback).
 */
function pgliteListen(pglite: PGlite, lock: SessionLock, relayed: ChannelListeners): Listen {
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    const unlock = await lock.acquire();
    try {
      return await work();
    } finally {
      unlock();
    }
  };
  return async (channel, onNotify) => {
    const unlisten = await locked(() => pglite.listen(channel, onNotify));
    const stopRelay = relayed.add(channel, onNotify);
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      stopRelay();
      // Nothing left to stop once PGlite is closed (the bot's shutdown may stop listening after it).
      if (!pglite.closed) await locked(() => unlisten());
    };
  };
}

/** A pool whose every checkout (a query, or a whole transaction) holds the session lock until released. */
function lockedPool(pool: pg.Pool, lock: SessionLock): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const unlock = await lock.acquire();
      try {
        const client = await pool.connect();
        return {
          query: preparingQuery(client),
          release() {
            client.release();
            unlock();
          },
        };
      } catch (err) {
        unlock();
        throw err;
      }
    },
    end: () => pool.end(),
  };
}

/** Thrown when the embedded database is locked by a process that does not answer on its socket. */
export class EmbeddedServerUnreachableError extends PickupError<'embedded_server_unreachable'> {
  constructor(locked: DataDirLockedError, socketPath: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      'embedded_server_unreachable',
      `The embedded database in ${locked.dataDir} is in use by process ${locked.pid}, which does not answer on ` +
        `${socketPath} (${reason}). If the bot is starting up, try again in a moment. If no Pickup runs there, ` +
        `the lock is stale: remove ${path.join(locked.dataDir, 'pickup.lock')}.`,
      options,
    );
  }
}

/**
 * Opens the embedded database through the bot that holds it (the error says which), on the socket it serves in
 * DATA_DIR; the same Kysely code then runs as on a directory of its own. Throws EmbeddedServerUnreachableError
 * when the bot does not answer within `connectTimeoutMs`.
 */
export async function openViaRunningBot(
  locked: DataDirLockedError,
  logger: Logger,
  connectTimeoutMs = 5_000,
): Promise<DatabaseHandle> {
  const socket = embeddedSocket(locked.dataDir);
  const problem = socketPathProblem(socket.path);
  if (problem) throw new EmbeddedServerUnreachableError(locked, socket.path, problem);
  // One connection, as on a directory of its own. Session settings (statement_timeout) are left alone: the session
  // is the bot's as well.
  const pool = new pg.Pool({
    host: socket.dir,
    port: socket.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    connectionTimeoutMillis: connectTimeoutMs,
    types: typeParsers,
  });
  pool.on('error', (err) => logger.warn({ err }, 'lost the connection to the running bot'));
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err }, 'lost the connection to the running bot'));
  });
  const handle = wrap(pool, 'pglite', insertingTransactionWithCopy, async () => {});
  try {
    await handle.ping();
  } catch (err) {
    await handle.close();
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' || code === 'ECONNREFUSED'
        ? 'no socket there'
        : /timeout/i.test((err as Error).message)
          ? `no answer within ${connectTimeoutMs / 1000} s`
          : (err as Error).message;
    throw new EmbeddedServerUnreachableError(locked, socket.path, reason, { cause: err });
  }
  logger.info({ pid: locked.pid, socket: socket.path }, 'using the embedded database through the running bot');
  return handle;
}

/**
 * transactionWithCopy through the bot's socket: PGlite cannot take CopyData on the wire, so the rows go in as
 * batched INSERTs, in the same transaction.
 */
function insertingTransactionWithCopy(db: Kysely<Database>): TransactionWithCopy {
  return (work) =>
    db
      .transaction()
      .execute((trx) => work(trx, (table, columns, rows) => insertRowsInBatches(trx, table, columns, rows)));
}

/**
 * `copying` makes the handle's transactionWithCopy from its Kysely. `beforeEnd` runs first on close (the LISTEN
 * connection goes before the pool), `onClose` after the pool ends.
 */
function wrap(
  pool: PostgresPool,
  engine: DatabaseHandle['engine'],
  copying: (db: Kysely<Database>) => TransactionWithCopy,
  onClose: () => Promise<void>,
  beforeEnd: () => Promise<void> = () => Promise.resolve(),
): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    engine,
    transactionWithCopy: copying(db),
    async ping() {
      await sql`SELECT 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await beforeEnd();
      await db.destroy();
      await onClose();
    },
  };
}

/**
 * Takes the data directory's lock file, or throws DataDirLockedError when a live process holds it.
 * Two processes on one PGlite directory silently lose writes, so this must fail loudly.
 */
function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'pickup.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(holder) && isAlive(holder)) throw new DataDirLockedError(dir, holder);
      // The holder died without cleaning up: the lock is stale.
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock file ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // ESRCH, no such process, is the usual answer; EPERM means it lives under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Listen = NonNullable<DatabaseHandle['listen']>;
type OnNotify = (payload: string) => void;

/** Callbacks by notification channel. */
export class ChannelListeners {
  readonly #channels = new Map<string, Set<OnNotify>>();

  /** Adds a callback; returns how to remove it. */
  add(channel: string, onNotify: OnNotify): () => void {
    let set = this.#channels.get(channel);
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    set.add(onNotify);
    return () => {
      set.delete(onNotify);
      if (set.size === 0 && this.#channels.get(channel) === set) this.#channels.delete(channel);
    };
  }

  /** The channels someone listens on. */
  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** True while someone listens on the channel. */
  has(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /** Hands a notification to each callback of its channel; one that throws is logged, and the others still run. */
  deliver(channel: string, payload: string, logger: Logger): void {
    for (const onNotify of this.#channels.get(channel) ?? []) {
      try {
        onNotify(payload);
      } catch (err) {
        logger.error({ err, channel }, 'a database notification listener failed');
      }
    }
  }
}

/** How long the LISTEN connection waits before reconnecting: doubling from `firstMs` up to `maxMs`. */
export interface ListenBackoff {
  firstMs: number;
  maxMs: number;
}

const LISTEN_BACKOFF: ListenBackoff = { firstMs: 250, maxMs: 15_000 };

/**
 * LISTEN on PostgreSQL: one dedicated connection, outside the pool (a pooled connection is handed to other queries
 * and would lose its LISTENs when recycled). When it drops (a restart, a failover, a network cut) it reconnects with
 * backoff and LISTENs again; a NOTIFY sent meanwhile is lost, which the settings' poll covers. A lost connection is
 * logged, never thrown: nobody awaits this connection, so an error it emitted unhandled would end the process.
 */
export class PostgresNotifications {
  readonly #listeners = new ChannelListeners();
  #client: pg.Client | undefined;
  // Connecting, LISTEN and UNLISTEN run one after another, so a channel added mid-connect is never missed.
  #queue: Promise<void> = Promise.resolve();
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  /** Set from a lost connection until the next one LISTENs, so the log says when it is back. */
  #lost = false;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly backoff: ListenBackoff = LISTEN_BACKOFF,
  ) {}

  /**
   * Starts delivering `channel`'s notifications to `onNotify`; resolves once LISTEN has run, or once the first
   * attempt to connect failed (it is retried meanwhile: the poll finds changes until then).
   */
  readonly listen: Listen = async (channel, onNotify) => {
    if (this.#closed) throw new Error('the database is closed');
    const first = !this.#listeners.has(channel);
    const remove = this.#listeners.add(channel, onNotify);
    if (first) await this.#serially(() => (this.#client ? this.#command('LISTEN', channel) : this.#connect()));
    else await this.#serially(() => (this.#client ? Promise.resolve() : this.#connect()));
    return async () => {
      remove();
      if (!this.#listeners.has(channel)) await this.#serially(() => this.#command('UNLISTEN', channel));
    };
  };

  /** Stops listening and reconnecting; resolves once the connection has ended. */
  readonly close = async (): Promise<void> => {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#serially(async () => {
      const client = this.#client;
      this.#client = undefined;
      await client?.end().catch(() => undefined);
    });
  };

  #serially(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** LISTEN or UNLISTEN one channel; a failure means the connection went, and its reconnect LISTENs anew. */
  async #command(command: 'LISTEN' | 'UNLISTEN', channel: string): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      await client.query(`${command} ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      this.#dropped(client, err);
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed || this.#client || this.#listeners.channels().length === 0) return;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'pickup-listen',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', (err) => this.#dropped(client, err));
    client.on('end', () => this.#dropped(client));
    client.on('notification', (n) => this.#listeners.deliver(n.channel, n.payload ?? '', this.logger));
    try {
      await client.connect();
      for (const channel of this.#listeners.channels()) {
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      this.#failures++;
      const level = this.#failures === 1 ? 'warn' : 'debug';
      this.logger[level]({ err, attempt: this.#failures }, 'cannot listen for database notifications; retrying');
      this.#scheduleReconnect();
      return;
    }
    if (this.#lost) this.logger.info({ failedAttempts: this.#failures }, 'listening for database notifications again');
    this.#client = client;
    this.#failures = 0;
    this.#lost = false;
  }

  #dropped(client: pg.Client, err?: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#lost = true;
    this.logger.warn({ err }, 'lost the connection that listens for database notifications; reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** Math.max(0, this.#failures - 1));
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#serially(() => this.#connect());
    }, delay);
    // Waiting to reconnect is no reason to keep the process alive: a bot has its server, and close() clears it.
    this.#retry.unref();
  }
}
