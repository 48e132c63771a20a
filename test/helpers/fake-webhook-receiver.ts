import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PickupEvent } from '../../src/ports/events.port';

/**
 * How the fake answers a request instead of 200: a status (with Retry-After, a body or a Location), no answer at all
 * until the receiver closes (`hold`: a receiver that hangs, or a sender killed mid-call), or a dropped connection.
 */
export type ReceiverAnswer =
  | { status: number; retryAfter?: string; body?: string; location?: string }
  | { hold: true }
  | { reset: true };

/** One request the receiver got, with its raw body as sent (what the signature covers). */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  event: PickupEvent;
  at: number;
  /** The status it was answered with; null while held, or when the connection was dropped. */
  status: number | null;
}

/** An outcome-webhook receiver over real HTTP: records each event and answers 200, or as told. */
export interface FakeWebhookReceiver {
  /** `http://127.0.0.1:PORT/hooks/pickup`: OUTCOME_WEBHOOK_URL. */
  readonly url: string;
  /** Every request in arrival order, refused and held ones included. */
  readonly received: ReceivedWebhook[];
  /** The events answered with a 2xx, in order. */
  delivered(): PickupEvent[];
  /** Answers the next `count` requests with `answer`; successive calls queue up behind each other. */
  answerNext(count: number, answer: ReceiverAnswer): void;
  /** Resolves once at least `count` requests arrived; rejects, saying what did arrive, after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Forgets requests and pending answers. */
  reset(): void;
  /** Stops the server, dropping held requests. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake receiver on a free port. */
export async function startFakeWebhookReceiver(): Promise<FakeWebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queue: { remaining: number; answer: ReceiverAnswer }[] = [];
  const waiters = new Set<() => void>();
  const held = new Set<ServerResponse>();

  const nextAnswer = (): ReceiverAnswer | undefined => {
    const head = queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.answer;
  };

  const server = createServer((req, res) => {
    void readBody(req).then((rawBody) => {
      const record: ReceivedWebhook = {
        headers: req.headers,
        rawBody,
        event: JSON.parse(rawBody) as PickupEvent,
        at: Date.now(),
        status: null,
      };
      received.push(record);
      for (const wake of waiters) wake();
      const answer = nextAnswer() ?? { status: 200, body: '{"ok":true}' };
      if ('hold' in answer) {
        held.add(res);
        return;
      }
      if ('reset' in answer) {
        req.socket.destroy();
        return;
      }
      record.status = answer.status;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      if (answer.location !== undefined) headers.location = answer.location;
      res.writeHead(answer.status, headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/pickup`,
    received,
    delivered: () => received.filter((r) => r.status !== null && r.status < 300).map((r) => r.event),
    answerNext(count, answer) {
      queue.push({ remaining: count, answer });
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = received.map((r) => `${r.event.type} → ${r.status ?? 'no answer'}`).join(', ') || 'nothing';
          reject(new Error(`expected ${count} webhook request(s) within ${timeoutMs} ms; got: ${got}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      received.length = 0;
      queue.length = 0;
    },
    close() {
      for (const res of held) res.destroy();
      held.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
