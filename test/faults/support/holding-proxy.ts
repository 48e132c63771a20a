import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the proxy is holding: it reached "Slack" and will never be answered or forwarded. */
export interface HeldCall {
  method: string;
  /** The raw form or JSON body the bot sent. */
  body: string;
  at: number;
}

/**
 * A Slack Web API stand-in that forwards every call to the fake Slack, except that it can HOLD the next calls to a
 * method: the bot's request hangs in flight, unanswered and never forwarded, until the bot dies or the proxy
 * closes. That is the moment between "the outbox leased the message" and "Slack answered" that a crash test needs.
 */
export interface HoldingProxy {
  /** The slackApiUrl to give a bot (ends with `/api/`). */
  readonly url: string;
  /** Every call held so far. */
  readonly held: HeldCall[];
  /** Holds the next `count` calls to `method`; resolves once the first of them arrived. */
  holdNext(method: string, count?: number): Promise<HeldCall>;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** Starts a holding proxy in front of `targetBaseUrl` (the fake Slack's `baseUrl`). */
export async function startHoldingProxy(targetBaseUrl: string): Promise<HoldingProxy> {
  const target = new URL(targetBaseUrl);
  const held: HeldCall[] = [];
  const holds = new Map<string, number>();
  const waiters = new Map<string, ((call: HeldCall) => void)[]>();
  const heldResponses = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    readAll(req).then(
      (body) => {
        const method = /^\/api\/([\w.]+)/.exec(req.url ?? '')?.[1] ?? '';
        const remaining = holds.get(method) ?? 0;
        if (remaining <= 0) return forward(req, res, body);
        holds.set(method, remaining - 1);
        const call: HeldCall = { method, body: body.toString('utf8'), at: Date.now() };
        held.push(call);
        heldResponses.add(res);
        res.on('close', () => heldResponses.delete(res));
        const waiting = waiters.get(method) ?? [];
        waiters.delete(method);
        for (const wake of waiting) wake(call);
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    held,
    holdNext(method, count = 1) {
      holds.set(method, (holds.get(method) ?? 0) + count);
      return new Promise<HeldCall>((resolve) => {
        waiters.set(method, [...(waiters.get(method) ?? []), resolve]);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of heldResponses) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
