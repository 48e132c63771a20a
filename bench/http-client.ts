import http from 'node:http';
import { nowMs } from './stats';

/** One request's outcome. */
export interface Timing {
  status: number;
  ms: number;
  body: string;
}

/** A keep-alive HTTP client: one agent, so connections are reused between waves as a Slack or help-desk client would. */
export interface HttpClient {
  /** Sends one request and times it from the call to the last byte of the answer. */
  send(
    port: number,
    path: string,
    headers: Record<string, string>,
    body: string,
    localAddress?: string,
  ): Promise<Timing>;
  close(): void;
}

/** Creates the client; `maxSockets` per (host, local address). */
export function createHttpClient(maxSockets: number): HttpClient {
  // With a `timeout`, the agent honours the server's `Keep-Alive: timeout=5` and drops a socket idle for 4 s, before
  // the server closes it. Without one it keeps idle sockets forever, and a wave sent about 5 s after the last one (a
  // slow settle on a busy machine) can reuse a socket the server is just closing: ECONNRESET. Requests never come
  // near the 60 s; Node only reports a timeout on them, it does not abort them.
  const agent = new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 1_000, timeout: 60_000 });
  return {
    send(port, path, headers, body, localAddress) {
      const started = nowMs();
      return new Promise<Timing>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            agent,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            ...(localAddress ? { localAddress } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                ms: nowMs() - started,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** The loopback address worker `i` sends from (127.0.1.1, 127.0.1.2, …): each is its own source to a rate limiter. */
export function workerAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/**
 * Runs `total` jobs on `concurrency` workers, each worker taking the next job when its last one is done.
 * Resolves with the wall time of the whole batch.
 */
export async function runConcurrently(
  total: number,
  concurrency: number,
  job: (index: number, worker: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async (_, worker) => {
      for (let i = next++; i < total; i = next++) await job(i, worker);
    }),
  );
  return nowMs() - started;
}
