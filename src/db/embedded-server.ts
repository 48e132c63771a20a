import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { Logger } from '../logger';

/*
 * The embedded database served on a Unix socket: to local clients (the CLI) while the bot runs, and to the bot's
 * own pool, since PGlite runs in a worker thread (pglite-thread.worker.ts runs this module there).
 *
 * PGlite is one PostgreSQL session. Everything that talks to it takes turns through one SessionLock, held for a
 * whole unit of work: a socket client holds it from its first message until PostgreSQL says the session is idle
 * again (ReadyForQuery 'I'), so one connection's transaction never interleaves with another's, nor a Parse..Sync
 * exchange with anyone's. (Where PGlite runs in-process, as in tests, the in-process pool holds it for each checkout:
 * one query, or one transaction.)
 *
 * The connections themselves are pglite-socket's PGLiteSocketHandler (wire framing, SSL and cancel requests).
 * Its own server is not used: its query queue serialises socket clients among themselves only (an in-process pool
 * reaches PGlite without its mutex), and it keeps a transaction's statements together but not an extended-protocol
 * exchange outside one. This module is self-contained (a PGlite, a lock, a path), so the thread can run it.
 */

/** The port in the socket's file name: pg and libpq look for `<dir>/.s.PGSQL.<port>`. */
export const EMBEDDED_SOCKET_PORT = 5432;
/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** Where a bot running on the embedded database in `dataDir` listens for local clients. */
export function embeddedSocket(dataDir: string): { dir: string; port: number; path: string } {
  const dir = path.join(path.resolve(dataDir), 'socket');
  return { dir, port: EMBEDDED_SOCKET_PORT, path: path.join(dir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`) };
}

/** Why a socket path cannot be used, or undefined when it can. */
export function socketPathProblem(socketPath: string): string | undefined {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return undefined;
  return `the socket path ${socketPath} is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows: use a shorter DATA_DIR`;
}

interface Waiter {
  grant: () => void;
  reject: (err: Error) => void;
}

/** PGlite's one session: whoever holds this lock owns it. First come, first served. */
export class SessionLock {
  #held = false;
  #waiters: Waiter[] = [];

  /** How many are waiting for the session (for tests and diagnostics). */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** True while someone owns the session. */
  get held(): boolean {
    return this.#held;
  }

  /** Waits for the session and returns the function that hands it on (calling it twice is harmless). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#held) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          reject,
        };
        const onAbort = () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(waiter);
      });
    }
    this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.grant();
      else this.#held = false;
    };
  }
}

const READY_FOR_QUERY = 0x5a; // 'Z'
const NOTIFICATION_RESPONSE = 0x41; // 'A'
const IDLE = 0x49; // 'I'

/** Where a notification seen in a client's traffic goes: channel and payload. */
export type OnNotification = (channel: string, payload: string) => void;

/** Told when PGlite itself has failed: it will not answer again. */
export type OnFatal = (err: unknown) => void;

/**
 * True for a failure of PGlite itself rather than of a statement: its backend exited (Emscripten's ExitStatus, e.g.
 * after a FATAL such as a client's COPY FROM STDIN, which PGlite cannot take) or its WebAssembly aborted.
 */
function isFatal(err: unknown): boolean {
  // Known by name: Emscripten's ExitStatus is no Error, and WebAssembly.RuntimeError is the only RuntimeError.
  if (typeof err !== 'object' || err === null) return false;
  const { name } = err as { name?: unknown };
  return name === 'ExitStatus' || name === 'RuntimeError';
}

/**
 * Follows a backend's output across chunks: remembers the status of the last ReadyForQuery in it, and hands each
 * NotificationResponse (a NOTIFY this session LISTENs to) to `onNotification`.
 */
class BackendWatcher {
  #header = Buffer.alloc(5);
  #headerBytes = 0;
  #bodyLeft = 0;
  #type = 0;
  #notification: Buffer[] = [];
  /** The transaction status byte of the last ReadyForQuery seen, if any. */
  status: number | undefined;

  constructor(private readonly onNotification?: OnNotification) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#bodyLeft === 0) {
        this.#header[this.#headerBytes++] = chunk[i++] as number;
        if (this.#headerBytes < 5) continue;
        this.#type = this.#header[0] as number;
        this.#bodyLeft = this.#header.readInt32BE(1) - 4;
        this.#headerBytes = 0;
        continue;
      }
      if (this.#type === READY_FOR_QUERY) this.status = chunk[i];
      const n = Math.min(this.#bodyLeft, chunk.length - i);
      if (this.#type === NOTIFICATION_RESPONSE && this.onNotification) {
        this.#notification.push(Buffer.from(chunk.subarray(i, i + n)));
        if (n === this.#bodyLeft) this.#notify(Buffer.concat(this.#notification));
      }
      i += n;
      this.#bodyLeft -= n;
    }
  }

  /** A NotificationResponse's body: the sender's pid (Int32), then the channel and the payload, each NUL-ended. */
  #notify(body: Buffer): void {
    this.#notification = [];
    const channelEnd = body.indexOf(0, 4);
    const payloadEnd = body.indexOf(0, channelEnd + 1);
    if (channelEnd < 0 || payloadEnd < 0) return;
    this.onNotification?.(body.toString('utf8', 4, channelEnd), body.toString('utf8', channelEnd + 1, payloadEnd));
  }
}

// Sync ends whatever extended-protocol exchange a client left half done (an error makes PostgreSQL skip to the
// next Sync); then ROLLBACK ends its transaction, if any (outside one it only warns).
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]);
const ROLLBACK = (() => {
  const text = Buffer.from('ROLLBACK\0');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
})();

interface SocketClient {
  /** Messages run one after another, in the order they arrived. */
  chain: Promise<unknown>;
  /** Set while this client owns the session. */
  release: (() => void) | undefined;
  gone: AbortController;
}

/** What PGLiteSocketHandler asks of its queue; our implementation takes turns with the bot through the SessionLock. */
class SessionQueue {
  readonly #clients = new Map<number, SocketClient>();
  readonly #cleanups = new Set<Promise<void>>();

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: SessionLock,
    private readonly logger: Logger,
    private readonly onNotification?: OnNotification,
    private readonly onFatal?: OnFatal,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const client = this.#client(handlerId);
    const run = client.chain.then(() => this.#run(client, message, onData));
    // The caller gets `run` and its failure; the chain only orders this client's messages, so it carries on after one.
    client.chain = run.catch(() => undefined);
    return run;
  }

  async #run(client: SocketClient, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    client.gone.signal.throwIfAborted();
    client.release ??= await this.lock.acquire(client.gone.signal);
    const watcher = new BackendWatcher(this.onNotification);
    let bytes = 0;
    await this.#exec(() =>
      this.pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          watcher.feed(data);
          bytes += data.length;
          onData(data);
        },
      }),
    );
    if (watcher.status === IDLE) this.#handBack(client);
    return bytes;
  }

  /** The client disconnected: what it queued is dropped. */
  clearQueueForHandler(handlerId: number): void {
    this.#clients.get(handlerId)?.gone.abort(new Error('the client disconnected'));
  }

  /** The client disconnected: once its message in flight is done, undo what it left open and hand the session on. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    const client = this.#clients.get(handlerId);
    if (!client) return Promise.resolve();
    this.#clients.delete(handlerId);
    const cleanup = this.#cleanUp(client);
    this.#cleanups.add(cleanup);
    return cleanup.finally(() => this.#cleanups.delete(cleanup));
  }

  /** Resolves once every disconnected client has been cleaned up. */
  async settled(): Promise<void> {
    await Promise.all([...this.#cleanups]);
  }

  // Never rejects: the handler calls this from a socket's close event, where nobody would catch it.
  async #cleanUp(client: SocketClient): Promise<void> {
    await client.chain;
    if (!client.release) return;
    try {
      await this.#exec(() => this.pglite.execProtocolRaw(SYNC));
      await this.#exec(() => this.pglite.execProtocolRaw(ROLLBACK));
    } catch (err) {
      this.logger.error({ err }, 'could not roll back what a disconnected client left open');
    } finally {
      this.#handBack(client);
    }
  }

  /** Runs PGlite's work; a failure of PGlite itself (not of a statement) is told to `onFatal` before it is thrown. */
  async #exec<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isFatal(err)) this.onFatal?.(err);
      throw err;
    }
  }

  #client(handlerId: number): SocketClient {
    let client = this.#clients.get(handlerId);
    if (!client) {
      client = { chain: Promise.resolve(), release: undefined, gone: new AbortController() };
      this.#clients.set(handlerId, client);
    }
    return client;
  }

  #handBack(client: SocketClient): void {
    client.release?.();
    client.release = undefined;
  }
}

/** A running embedded server: where it listens, and how to stop it. */
export interface EmbeddedServer {
  readonly path: string;
  /** Stops accepting, lets a client's unit of work in flight finish (up to `graceMs`), disconnects everyone. */
  stop(graceMs?: number): Promise<void>;
}

/** Options for {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  pglite: PGlite;
  lock: SessionLock;
  dataDir: string;
  logger: Logger;
  /**
   * Told of each NOTIFY a client's traffic carries: the session's LISTENs are the bot's, and PGlite delivers to them
   * only what its own queries return, so a change a CLI command commits would otherwise reach the bot by poll alone.
   */
  onNotification?: OnNotification;
  /** The line logged once it listens: by default that local CLI commands are served. */
  announce?: string;
  /**
   * Told when PGlite itself fails (its backend exited, or its WebAssembly aborted) while serving a client: nothing
   * it serves will answer again, so the owner must not wait on it.
   */
  onFatal?: OnFatal;
}

/**
 * Serves the embedded database on a Unix socket in DATA_DIR/socket, for this user alone (directory 0700,
 * socket 0600). The caller holds the data directory's lock, so a socket file already there is a dead bot's.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { pglite, lock, logger } = options;
  const socket = embeddedSocket(options.dataDir);
  const problem = socketPathProblem(socket.path);
  if (problem) throw new Error(problem);
  prepareSocketDir(socket.dir);
  fs.rmSync(socket.path, { force: true });

  const queue = new SessionQueue(pglite, lock, logger, options.onNotification, options.onFatal);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = net.createServer((conn) => {
    // The handler's option is typed as pglite-socket's own (unexported) queue class; ours has the same methods.
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    handler.addEventListener('close', () => handlers.delete(handler));
    handler.addEventListener('error', (event) => {
      handlers.delete(handler);
      logger.debug({ err: (event as CustomEvent<Error>).detail }, 'embedded database client disconnected');
    });
    void handler.attach(conn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket.path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.warn({ err }, 'embedded database socket error'));
  fs.chmodSync(socket.path, 0o600);
  logger.info({ socket: socket.path }, options.announce ?? 'serving the embedded database to local CLI commands');

  let stopping: Promise<void> | undefined;
  const stop = async (graceMs: number) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Waiting for the session lets a CLI transaction in flight commit instead of being cut off; a client that
    // holds it longer is disconnected anyway, and its cleanup rolls back what it left open.
    // A timeout is the expected way out of this wait: then the session is cut off below without its lock.
    const release = await lock.acquire(AbortSignal.timeout(graceMs)).catch(() => undefined);
    try {
      await Promise.all([...handlers].map((handler) => handler.detach(true)));
    } finally {
      release?.();
    }
    await queue.settled();
    await closed;
    fs.rmSync(socket.path, { force: true });
  };
  return {
    path: socket.path,
    stop(graceMs = 5_000) {
      stopping ??= stop(graceMs);
      return stopping;
    },
  };
}

/** Creates DATA_DIR/socket for this user alone, refusing one that is a symlink or someone else's. */
function prepareSocketDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new Error(`${dir} belongs to another user (uid ${stat.uid})`);
  }
  fs.chmodSync(dir, 0o700);
}
