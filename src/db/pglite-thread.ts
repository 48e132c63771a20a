import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger';
import { PickupError } from '../shared/errors';
import { type CopyRows, copyInChunks, type TransactionWithCopy } from './copy';
import {
  COPY_TOKEN_SETTING,
  type FromThread,
  fromWire,
  type ThreadStart,
  type ToThread,
  type WireError,
} from './pglite-thread.protocol';
import type { Database } from './schema';

/*
 * The main thread's side of the embedded database's worker thread (pglite-thread.worker.ts). Queries reach PGlite
 * through the Unix socket the thread serves (connection.ts connects a pg.Pool to `socket`); this starts the thread,
 * asks it for what the wire cannot carry (LISTEN bookkeeping, COPY chunks, stopping), hears the NOTIFYs it relays,
 * logs its lines through the main logger, and notices when it dies.
 */

/** Thrown by every query, and by ping, once the embedded database's thread has died: nothing answers any more. */
export class EmbeddedDatabaseFailedError extends PickupError<'embedded_database_failed'> {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(
      'embedded_database_failed',
      `The embedded database stopped (${reason}): every query fails until Pickup is restarted.`,
      options,
    );
  }
}

/** The embedded database's thread, as the main thread uses it. */
export interface PgliteThread {
  /** Where the thread serves the database to this process: pg's `host` (the directory) and `port`. */
  readonly socket: { dir: string; port: number };
  /** True once the thread has died unexpectedly. */
  readonly failed: boolean;
  /** Throws EmbeddedDatabaseFailedError once the thread has died unexpectedly; otherwise does nothing. */
  throwIfFailed(): void;
  /** Makes the session LISTEN on a channel (counted: UNLISTEN once each listen has been undone). */
  listen(channel: string): Promise<void>;
  /** Undoes one listen; does nothing once the thread has stopped or died (nothing is listening any more). */
  unlisten(channel: string): Promise<void>;
  /** COPYs `text` into `table (columns)` inside the transaction that set `token` (see transactionWithCopyInThread). */
  copy(table: string, columns: readonly string[], text: string, token: string): Promise<number>;
  /** Stops serving, closes PGlite cleanly and waits for the thread to end. Once; safe after the thread died. */
  stop(): Promise<void>;
}

/** Options for {@link startPgliteThread}. */
export interface PgliteThreadOptions {
  /** The data directory, absolute. The caller holds its lock file. */
  dataDir: string;
  logger: Logger;
  /** Serve local CLI commands on DATA_DIR/socket too (the bot does). */
  serveLocalClients: boolean;
  /** Told of each NOTIFY the thread saw in its clients' traffic. */
  onNotification: (channel: string, payload: string) => void;
}

/** How long stop() waits for the thread to end after PGlite closed, before terminating it. */
const EXIT_GRACE_MS = 10_000;

/** Starts the thread on the data directory; resolves once it serves the database, rejects if it cannot. */
export async function startPgliteThread(options: PgliteThreadOptions): Promise<PgliteThread> {
  const start: ThreadStart = {
    dataDir: options.dataDir,
    serveLocalClients: options.serveLocalClients,
    logLevel: options.logger.level,
  };
  const thread = new WorkerThread(spawn(start), options);
  try {
    await thread.ready;
  } catch (err) {
    // It closed what it had opened before saying so; the data directory is free once it has ended.
    await thread.ended();
    throw err;
  }
  return thread;
}

interface Pending {
  resolve: (value: number) => void;
  reject: (err: Error) => void;
}

class WorkerThread implements PgliteThread {
  socket = { dir: '', port: 0 };
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #options: PgliteThreadOptions;
  readonly #exited: Promise<number>;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #started = false;
  #stopping: Promise<void> | undefined;
  #failure: EmbeddedDatabaseFailedError | undefined;
  #privateDir: string | undefined;
  #settleStart: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(worker: Worker, options: PgliteThreadOptions) {
    this.#worker = worker;
    this.#options = options;
    this.ready = new Promise((resolve, reject) => {
      this.#settleStart = { resolve, reject };
    });
    this.#exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.on('message', (message: FromThread) => this.#receive(message));
    worker.on('error', (err) => this.#died(`its thread threw: ${err.message}`, err));
    worker.on('exit', (code) => this.#died(`its thread exited with code ${code}`));
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  async listen(channel: string): Promise<void> {
    await this.#call({ type: 'listen', channel });
  }

  async unlisten(channel: string): Promise<void> {
    if (this.#failure || this.#stopping) return;
    await this.#call({ type: 'unlisten', channel });
  }

  copy(table: string, columns: readonly string[], text: string, token: string): Promise<number> {
    return this.#call({ type: 'copy', table, columns: [...columns], text, token });
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { logger } = this.#options;
    if (!this.#failure) {
      // A stop that fails leaves PGlite as it was; the thread is ended below all the same.
      await this.#call({ type: 'stop' }).catch((err: unknown) =>
        logger.error({ err, dataDir: this.#options.dataDir }, 'could not close the embedded database cleanly'),
      );
    }
    await this.ended();
    // The thread removes its private socket directory on a clean stop; not when it died.
    if (this.#privateDir) fs.rmSync(this.#privateDir, { recursive: true, force: true });
  }

  /** Resolves once the thread has ended; terminates it if it has not within EXIT_GRACE_MS. */
  async ended(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), EXIT_GRACE_MS);
    });
    if ((await Promise.race([this.#exited, late])) === 'late') {
      this.#options.logger.error(
        { dataDir: this.#options.dataDir },
        'the embedded database thread did not end; terminating it',
      );
      await this.#worker.terminate();
    }
    clearTimeout(timer);
  }

  #call(request: DistributiveOmit<ToThread, 'id'>): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #receive(message: FromThread): void {
    switch (message.type) {
      case 'ready':
        this.socket = { dir: message.socketDir, port: message.socketPort };
        this.#privateDir = message.privateDir;
        this.#started = true;
        this.#settleStart?.resolve();
        return;
      case 'failed':
        this.#settleStart?.reject(fromWire(message.error));
        return;
      case 'fatal':
        this.#died(`PGlite failed: ${message.error.message}`, fromWire(message.error));
        return;
      case 'reply':
        this.#reply(message.id, message.error, message.value);
        return;
      case 'notification':
        this.#options.onNotification(message.channel, message.payload);
        return;
      case 'log':
        relayLog(this.#options.logger, message.line);
        return;
    }
  }

  #reply(id: number, error: WireError | undefined, value: number | undefined): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (error) pending?.reject(fromWire(error));
    else pending?.resolve(value ?? 0);
  }

  /** The thread threw or ended: unexpected unless stop() asked for it. Everything waiting on it fails at once. */
  #died(reason: string, cause?: Error): void {
    if (this.#failure) return;
    const expected = this.#stopping !== undefined && cause === undefined;
    const failure = new EmbeddedDatabaseFailedError(reason, cause ? { cause } : {});
    if (!expected) {
      this.#failure = failure;
      if (this.#started) {
        this.#options.logger.error(
          { err: failure, dataDir: this.#options.dataDir },
          'the embedded database thread died; queries fail and /healthz answers 503 until Pickup is restarted',
        );
      }
    }
    this.#settleStart?.reject(failure);
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** A pino line's own fields, which the main logger writes itself. */
interface PinoLine {
  level: number;
  msg?: string;
  time?: number;
  pid?: number;
  hostname?: string;
  service?: string;
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
}

/**
 * Logs a line the thread wrote (pino JSON, already redacted) through the main logger, at its level, with its fields.
 * Its `err` becomes an Error again, so the main logger's serializer writes it as it writes any other.
 */
function relayLog(logger: Logger, line: string): void {
  const {
    level,
    msg,
    time: _time,
    pid: _pid,
    hostname: _hostname,
    service: _service,
    err,
    ...fields
  }: PinoLine = JSON.parse(line);
  const method = LEVELS.find((label) => label === logger.levels.labels[level]) ?? 'info';
  if (err) {
    const { type, message, stack, ...more } = err;
    fields.err = Object.assign(new Error(message), more, { name: type ?? 'Error', stack });
  }
  logger[method]({ ...fields, thread: 'embedded-database' }, msg);
}

/**
 * Starts the worker. In production the sources are compiled (`npm run build`: dist/src/db/pglite-thread.worker.js,
 * beside this file's .js), and that file is the worker. Where this module runs from its .ts source (Jest compiles
 * each test's imports with SWC in memory), there is no .js to start and Node cannot load a .ts file in a worker:
 * the worker then runs a few lines that compile .ts files as they are required, with @swc/core (a devDependency,
 * present wherever the sources run), and require the .ts entry.
 */
function spawn(start: ThreadStart): Worker {
  const compiled = path.join(__dirname, 'pglite-thread.worker.js');
  if (fs.existsSync(compiled)) return new Worker(compiled, { workerData: start });
  const entry = path.join(__dirname, 'pglite-thread.worker.ts');
  return new Worker(TYPESCRIPT_BOOTSTRAP, { eval: true, workerData: { ...start, entry } });
}

const TYPESCRIPT_BOOTSTRAP = `
const fs = require('node:fs');
const Module = require('node:module');
const { workerData } = require('node:worker_threads');
const { transformSync } = Module.createRequire(workerData.entry)('@swc/core');
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
require(workerData.entry);
`;

/**
 * transactionWithCopy for the embedded database in its thread. The transaction is an ordinary Kysely one: through its
 * socket connection it holds PGlite's session (the SessionLock) from BEGIN to COMMIT. Rows go in chunks of COPY text
 * (copyInChunks) to the thread, which loads each with PGlite's COPY FROM '/dev/blob' without taking the lock: the
 * session is this transaction's, and the transaction awaits each chunk before its next statement. The transaction
 * first marks itself with a random token, set locally; the thread refuses a chunk unless the session shows that
 * token, so a COPY can never land in somebody else's transaction. `work` must await each copyRows before it runs
 * another statement.
 */
export function transactionWithCopyInThread(
  db: Kysely<Database>,
  thread: Pick<PgliteThread, 'copy'>,
): TransactionWithCopy {
  return (work) =>
    db.transaction().execute(async (trx) => {
      const token = randomUUID();
      await sql`SELECT set_config(${COPY_TOKEN_SETTING}, ${token}, true)`.execute(trx);
      const copyRows: CopyRows = (table, columns, rows) =>
        copyInChunks(rows, (text) => thread.copy(table, columns, text, token));
      return work(trx, copyRows);
    });
}
