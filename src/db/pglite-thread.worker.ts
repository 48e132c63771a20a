import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { createLogger, type Logger } from '../logger';
import { copyTextIntoPglite } from './copy';
import {
  EMBEDDED_SOCKET_PORT,
  type EmbeddedServer,
  type EmbeddedServerOptions,
  SessionLock,
  startEmbeddedServer,
} from './embedded-server';
import { COPY_TOKEN_SETTING, type FromThread, type ThreadStart, type ToThread, toWire } from './pglite-thread.protocol';

/*
 * The worker thread that owns the embedded database. PGlite's work is synchronous WebAssembly: run on the main
 * thread, every query held up the event loop that answers Slack. Here it has a thread of its own, and serves the
 * database on a Unix socket (embedded-server.ts: one SessionLock, whole transactions in turn): the main thread's
 * pool connects to it like any PostgreSQL client, and so do CLI commands beside the bot. The socket is DATA_DIR's
 * when local clients are served and its path fits; otherwise a private one in a 0700 directory in the temp dir.
 * Started by pglite-thread.ts, which speaks to it in the messages of pglite-thread.protocol.ts.
 */

/** A message to the main thread. */
type Post = (message: FromThread) => void;

// A smaller buffer pool than PGlite's 128 MB default: it lives in the WASM heap, which never shrinks, and the
// bench measured under-load RSS falling from ~450 MB to ~290 MB at the same ingest rate.
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** The open database and what this thread serves it on. */
class ThreadDatabase {
  /** LISTENs by channel: the session LISTENs while any listener of the main thread does. */
  readonly #listening = new Map<string, number>();
  // LISTEN and UNLISTEN one after another, so a channel's count and the session's LISTENs never disagree.
  #listenQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: SessionLock,
    private readonly servers: EmbeddedServer[],
    /** The private socket's directory, when the main thread's pool has one (removed on stop). */
    readonly privateDir: string | undefined,
  ) {}

  /** Runs one request from the main thread; resolves with its numeric answer (rows copied, or 0). */
  run(message: ToThread): Promise<number> {
    switch (message.type) {
      case 'listen':
      case 'unlisten':
        return this.#serially(() => this.#listen(message.type, message.channel));
      case 'copy':
        return this.#copy(message);
      case 'stop':
        return this.stop();
    }
  }

  #serially(work: () => Promise<number>): Promise<number> {
    const run = this.#listenQueue.then(work);
    this.#listenQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * LISTEN when a channel gets its first listener, UNLISTEN when it loses its last. Under the session lock, so
   * neither lands inside a transaction of someone else's (a rollback there would undo a LISTEN).
   */
  async #listen(command: 'listen' | 'unlisten', channel: string): Promise<number> {
    const count = this.#listening.get(channel) ?? 0;
    const next = command === 'listen' ? count + 1 : Math.max(0, count - 1);
    if ((count === 0) !== (next === 0)) {
      const release = await this.lock.acquire();
      try {
        await this.pglite.exec(`${command.toUpperCase()} "${channel.replaceAll('"', '""')}"`);
      } finally {
        release();
      }
    }
    if (next === 0) this.#listening.delete(channel);
    else this.#listening.set(channel, next);
    return next;
  }

  /**
   * One chunk of a COPY, inside the main thread's transaction (pglite-thread.ts, transactionWithCopyInThread). That
   * transaction holds the session lock through its socket connection, and waits for this answer before it sends
   * anything more: taking the lock here would wait for it forever, and running without the lock runs inside it,
   * which is what is wanted. It is safe only while that transaction is the one holding the session, so anything
   * else is refused: the lock must be held, and the session must carry the token the transaction set locally
   * (SET LOCAL is seen inside that transaction alone, so no other holder's transaction can show it).
   */
  async #copy(message: Extract<ToThread, { type: 'copy' }>): Promise<number> {
    const refuse = (why: string) =>
      new Error(
        `refused a COPY into ${message.table}: ${why}; a COPY runs only inside the transaction that asked for it`,
      );
    if (!this.lock.held) throw refuse('no transaction holds the session');
    const { rows } = await this.pglite.query<{ token: string | null }>('SELECT current_setting($1, true) AS token', [
      COPY_TOKEN_SETTING,
    ]);
    if (rows[0]?.token !== message.token) throw refuse('the session is in another transaction');
    return copyTextIntoPglite(this.pglite, message.table, message.columns, message.text);
  }

  /** Stops serving (letting a CLI transaction in flight finish), then closes PGlite cleanly. */
  async stop(): Promise<number> {
    try {
      for (const server of this.servers) await server.stop();
    } finally {
      await this.pglite.close();
      if (this.privateDir) fs.rmSync(this.privateDir, { recursive: true, force: true });
    }
    return 0;
  }

  /** Where the main thread's pool connects: the first server's socket directory. */
  socketDir(): string {
    const first = this.servers[0];
    if (!first) throw new Error('the embedded database serves no socket');
    return path.dirname(first.path);
  }
}

/** Opens PGlite in DATA_DIR and serves it; stops what it started when a later step fails. */
async function open(start: ThreadStart, post: Post, logger: Logger): Promise<ThreadDatabase> {
  const pglite = await PGlite.create(start.dataDir, { startParams: START_PARAMS });
  const lock = new SessionLock();
  const onNotification = (channel: string, payload: string) => post({ type: 'notification', channel, payload });
  const onFatal = (err: unknown) => {
    post({ type: 'fatal', error: toWire(err) });
    // PGlite will not answer again. Ending the thread closes every connection to it, so no client waits on it.
    process.exit(1);
  };
  let privateDir: string | undefined;
  try {
    const watchers = { onNotification, onFatal };
    const local = start.serveLocalClients ? await serveLocalClients(pglite, lock, start, logger, watchers) : undefined;
    if (local) return new ThreadDatabase(pglite, lock, [local], undefined);
    // A short path of this user's alone, whatever DATA_DIR is: mkdtemp makes the directory 0700.
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-db-'));
    const own = await startEmbeddedServer({
      pglite,
      lock,
      dataDir: privateDir,
      logger,
      ...watchers,
      announce: 'serving the embedded database to this process on a private socket',
    });
    return new ThreadDatabase(pglite, lock, [own], privateDir);
  } catch (err) {
    await pglite.close().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'could not close PGlite'));
    if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
    throw err;
  }
}

// The bot runs without DATA_DIR's socket rather than not at all (its pool then uses a private one): only CLI
// commands beside it need that socket, and they say why they cannot connect.
async function serveLocalClients(
  pglite: PGlite,
  lock: SessionLock,
  start: ThreadStart,
  logger: Logger,
  watchers: Pick<EmbeddedServerOptions, 'onNotification' | 'onFatal'>,
): Promise<EmbeddedServer | undefined> {
  try {
    return await startEmbeddedServer({ pglite, lock, dataDir: start.dataDir, logger, ...watchers });
  } catch (err) {
    logger.warn({ err }, 'cannot serve the embedded database to CLI commands; they will fail while the bot runs');
    return undefined;
  }
}

/** Answers the main thread's requests, one reply each; after `stop`, closes the port so the thread can end. */
function serve(port: MessagePort, db: ThreadDatabase, post: Post): void {
  port.on('message', (message: ToThread) => {
    void db
      .run(message)
      .then(
        (value) => post({ type: 'reply', id: message.id, value }),
        (err: unknown) => post({ type: 'reply', id: message.id, error: toWire(err) }),
      )
      .finally(() => {
        // Nothing is asked after stop; with the port closed the thread ends, PGlite closed.
        if (message.type === 'stop') port.close();
      });
  });
}

async function main(port: MessagePort, start: ThreadStart): Promise<void> {
  const post: Post = (message) => port.postMessage(message);
  // Lines go to the main thread's logger (one stream, its destination and level): redacted here, logged there.
  const logger = createLogger(start.logLevel, { write: (line: string) => post({ type: 'log', line }) });
  let db: ThreadDatabase;
  try {
    db = await open(start, post, logger);
  } catch (err) {
    post({ type: 'failed', error: toWire(err) });
    port.close();
    return;
  }
  serve(port, db, post);
  post({ type: 'ready', socketDir: db.socketDir(), socketPort: EMBEDDED_SOCKET_PORT, privateDir: db.privateDir });
}

if (!parentPort) throw new Error('pglite-thread.worker runs as a worker thread (pglite-thread.ts starts it)');
void main(parentPort, workerData as ThreadStart);
