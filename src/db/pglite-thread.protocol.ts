/*
 * The messages between Pickup's main thread and the worker thread that owns the embedded database
 * (pglite-thread.ts starts it, pglite-thread.worker.ts runs in it). Queries do not travel here: they go through the
 * Unix socket the thread serves, as PostgreSQL's wire protocol. These carry what the wire cannot: LISTEN's
 * bookkeeping, the NOTIFYs relayed out of the socket traffic, COPY chunks, the thread's log lines, and stopping.
 */

/** What the thread is started with (its workerData). */
export interface ThreadStart {
  /** The data directory, absolute; the main thread holds its lock file. */
  dataDir: string;
  /** Serve local CLI commands on DATA_DIR/socket too (the bot does). */
  serveLocalClients: boolean;
  /** The main logger's level: the thread logs no more than it. */
  logLevel: string;
  /** Only where sources run as TypeScript (Jest): the .ts entry the bootstrap loads (see pglite-thread.ts). */
  entry?: string;
}

/** A request to the thread; each gets one reply with its id. */
export type ToThread =
  | { type: 'listen' | 'unlisten'; id: number; channel: string }
  | { type: 'copy'; id: number; table: string; columns: string[]; text: string; token: string }
  | { type: 'stop'; id: number };

/** What the thread says: once ready (or failed to start), then replies, relayed notifications and log lines. */
export type FromThread =
  | { type: 'ready'; socketDir: string; socketPort: number; privateDir: string | undefined }
  | { type: 'failed'; error: WireError }
  | { type: 'fatal'; error: WireError }
  | { type: 'reply'; id: number; value: number; error?: undefined }
  | { type: 'reply'; id: number; value?: undefined; error: WireError }
  | { type: 'notification'; channel: string; payload: string }
  | { type: 'log'; line: string };

/** An error as it crosses threads: its message, stack and the string or number fields (a PostgreSQL error's code, detail, constraint...). */
export type WireError = { message: string } & Record<string, string | number>;

/** An error (or what was thrown: Emscripten's ExitStatus is no Error), flattened to cross to the other thread. */
export function toWire(err: unknown): WireError {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const wire: WireError = { message: '' };
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number') wire[key] = value;
  }
  const { message, name, stack } = err as { message?: unknown; name?: unknown; stack?: unknown };
  wire.message = typeof message === 'string' ? message : String(err);
  if (typeof name === 'string') wire.name = name;
  if (typeof stack === 'string' && stack !== '') wire.stack = stack;
  else delete wire.stack;
  return wire;
}

/** The error the other thread threw, rebuilt with its fields (so `code` reads as it did there). */
export function fromWire(wire: WireError): Error {
  const { message, ...fields } = wire;
  return Object.assign(new Error(message), fields);
}

/** The setting a copy transaction marks itself with, for the thread to check it runs inside that very transaction. */
export const COPY_TOKEN_SETTING = 'pickup.copy_token';
