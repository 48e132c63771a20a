import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { onEarlyStop } from './cleanup';

/** What the bench asks the load process to do. */
export type LoadRequest =
  | { kind: 'claimWave'; id: number; port: number; path: string; complaintIds: number[]; responseUrl: string }
  | { kind: 'ingest'; id: number; port: number; total: number; concurrency: number; tag: string };

/** One request's status and client-side latency. */
export interface LoadTiming {
  status: number;
  ms: number;
  /** The first 200 characters of the answer, kept only for failures. */
  body?: string;
}

/** The load process's answer to one request. */
export type LoadResponse =
  | { id: number; ok: true; wallMs: number; timings: LoadTiming[] }
  | { id: number; ok: false; error: string };

/** The load generator as the bench sees it. */
export interface LoadProcess {
  /** 50 (or however many ids) signed claim clicks at once; resolves with each click's timing. */
  claimWave(port: number, path: string, complaintIds: number[], responseUrl: string): Promise<LoadTiming[]>;
  /** `total` webhook deliveries from `concurrency` workers, each from its own loopback address. */
  ingest(
    port: number,
    total: number,
    concurrency: number,
    tag: string,
  ): Promise<{ wallMs: number; timings: LoadTiming[] }>;
  close(): Promise<void>;
}

function isLoadResponse(value: unknown): value is LoadResponse {
  return typeof value === 'object' && value !== null && 'id' in value && 'ok' in value;
}

/**
 * Forks bench/load-worker.js. The clients run in their own process, as Slack and the help desks do, so their
 * CPU does not come out of the event loop of the server under measurement (in-process Pickup and the baselines
 * alike). Connections are kept alive between requests, as those clients keep them.
 */
export function startLoadProcess(): LoadProcess {
  const child: ChildProcess = fork(path.join(__dirname, 'load-worker.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const forget = onEarlyStop(async () => {
    child.kill('SIGKILL');
  });
  const pending = new Map<number, { resolve: (r: LoadResponse) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (msg: unknown) => {
    if (!isLoadResponse(msg)) return;
    pending.get(msg.id)?.resolve(msg);
    pending.delete(msg.id);
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the load process exited (${code})`));
    pending.clear();
  });
  const ask = (request: LoadRequest): Promise<{ wallMs: number; timings: LoadTiming[] }> =>
    new Promise<LoadResponse>((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      child.send(request);
    }).then((r) => {
      if (!r.ok) throw new Error(r.error);
      return { wallMs: r.wallMs, timings: r.timings };
    });
  return {
    async claimWave(port, urlPath, complaintIds, responseUrl) {
      const r = await ask({ kind: 'claimWave', id: nextId++, port, path: urlPath, complaintIds, responseUrl });
      return r.timings;
    },
    ingest(port, total, concurrency, tag) {
      return ask({ kind: 'ingest', id: nextId++, port, total, concurrency, tag });
    },
    async close() {
      if (child.exitCode !== null) {
        forget();
        return;
      }
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
      forget();
    },
  };
}
