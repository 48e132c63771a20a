import { randomUUID } from 'node:crypto';
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { Logger } from '../logger';
import { DomainError, isDatabaseUnavailable, PickupError } from '../shared/errors';
import { domainErrorResponse, type HttpRequest, type HttpResponse, type Route } from './http';
import { createReplayGuard, type ReplayGuard } from './slack-replay';
import { isSslCheck, SLACK_TIMESTAMP_TOLERANCE_S, slackSignatureProblem } from './slack-signature';

/** Slack's endpoint, served by Bolt's receiver behind Pickup's own pre-checks. */
export interface SlackEndpoint {
  path: string;
  listener: RequestListener;
  bodyLimit: number;
  /** Every signing secret a request may be signed with (old and new while one is rotated). */
  signingSecrets: readonly string[];
  /** Refuses a buffered, verified body the listener cannot handle, before it sees it. */
  checkBody?: (rawBody: Buffer, headers: IncomingHttpHeaders) => { status: number; error: string } | undefined;
  /** False while Bolt is still starting (auth.test): the request is answered 503 and Slack retries it. */
  ready?: () => boolean;
}

/** Options for {@link createHttpServer}. */
export interface HttpServerOptions {
  routes: readonly Route[];
  slack?: SlackEndpoint;
  logger: Logger;
  /**
   * Wall-clock now, for the Slack timestamp check. The real clock by default, even under a test clock: Slack
   * stamps requests with its own clock, and the check is about their real age.
   */
  now?: () => number;
}

/** An oversize body. `drained`: the rest was read and discarded, so the 413 can go out on a healthy connection. */
class BodyTooLarge extends PickupError<'body_too_large'> {
  constructor(readonly drained: boolean) {
    super('body_too_large', 'body too large');
  }
}

/**
 * An oversize body is still read to its end (and thrown away) up to this many bytes before the 413 goes out.
 * Answering while the client is still sending and then closing resets the connection, and the client often never
 * sees its 413; a bigger body is cut off at once.
 */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/** The one HTTP server: Pickup's routes, and Slack's endpoint in HTTP mode. */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const { routes, slack, logger } = options;
  const now = options.now ?? Date.now;
  const replays = createReplayGuard({ toleranceS: SLACK_TIMESTAMP_TOLERANCE_S });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (slack && url.pathname === slack.path) {
      // The HTTP server starts before Slack answers auth.test, so webhooks never wait on Slack; Bolt cannot take
      // requests until then. Answered before the replay guard sees the signature, so Slack's retry is no replay.
      if (slack.ready && !slack.ready()) {
        return send(res, { status: 503, headers: { 'retry-after': '5' }, body: { error: 'starting, retry shortly' } });
      }
      // Read here, under the same limit as the webhooks, so any oversize body (declared or chunked) is a 413;
      // Bolt then parses the buffered body (its `rawBody`) instead of reading the stream itself.
      void readBody(req, slack.bodyLimit).then(
        (rawBody) => {
          const refused = refuseSlackRequest(slack, replays, req.headers, rawBody, now());
          if (refused) return send(res, refused);
          slack.listener(Object.assign(req, { rawBody }), res);
        },
        (err: unknown) => send(res, unreadableBody(err, slack.bodyLimit)),
      );
      return;
    }
    const route = routes.find((r) => r.path === url.pathname);
    if (!route) return send(res, { status: 404, body: { error: 'not found' } });
    if (route.method !== req.method) {
      return send(res, { status: 405, headers: { allow: route.method }, body: { error: `use ${route.method}` } });
    }
    const requestId = header(req, 'x-request-id') ?? randomUUID();
    const log = logger.child({ requestId, route: route.path });
    void handle(route, req, url, requestId, log).then(
      (response) => send(res, response),
      (err: unknown) => {
        // handle() answers every error itself; reaching here means the socket broke mid-answer.
        log.error({ err }, 'failed to answer request');
        if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error', requestId } });
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  return server;
}

async function handle(
  route: Route,
  req: IncomingMessage,
  url: URL,
  requestId: string,
  log: Logger,
): Promise<HttpResponse> {
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, route.bodyLimit);
  } catch (err) {
    return unreadableBody(err, route.bodyLimit);
  }
  const request: HttpRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
    requestId,
    remoteAddress: req.socket.remoteAddress ?? 'unknown',
  };
  try {
    return await route.handle(request);
  } catch (err) {
    if (err instanceof DomainError) {
      // A refusal the caller can act on, not a fault: answered with its status, logged for the trail only.
      log.info({ err }, 'request refused');
      return domainErrorResponse(err);
    }
    if (isDatabaseUnavailable(err)) {
      log.warn({ err }, 'database unavailable');
      return { status: 503, headers: { 'retry-after': '30' }, body: { error: 'database unavailable, retry later' } };
    }
    log.error({ err }, 'request failed');
    return { status: 500, body: { error: 'internal error', requestId } };
  }
}

/** The answer to a body that could not be read: 413 when too large (closing unless the rest was drained), else 400. */
function unreadableBody(err: unknown, limit: number): HttpResponse {
  if (!(err instanceof BodyTooLarge)) return { status: 400, body: { error: 'could not read the request body' } };
  return {
    status: 413,
    body: { error: `body larger than ${limit} bytes` },
    ...(err.drained ? {} : { headers: { connection: 'close' } }),
  };
}

/** Reads and discards the rest of a request; false when it runs past `max` bytes or breaks off. */
function discardRest(req: IncomingMessage, max: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve(true);
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return;
      req.off('data', onData);
      req.resume();
      resolve(false);
    };
    req.on('data', onData);
    req.once('end', () => resolve(true));
    req.once('error', () => resolve(false));
  });
}

/** Reads the body; one over the limit (declared or actual) is drained up to DRAIN_LIMIT and refused. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      void discardRest(req, DRAIN_LIMIT).then((drained) => reject(new BodyTooLarge(drained)));
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT) {
      req.resume();
      return reject(new BodyTooLarge(false));
    }
    if (declared > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * Pickup's checks before Bolt sees a Slack request, or undefined when it may go on. Slack's SSL check is answered
 * here. Then the signature, against every signing secret (Bolt's own check takes one and is off). Then a replay: a
 * valid signature can be sent again byte for byte within the timestamp window, and Bolt cannot tell, so one already
 * accepted is refused; only verified signatures are remembered, so junk cannot fill the memory. Last, a verified
 * body Bolt could not handle.
 */
function refuseSlackRequest(
  slack: SlackEndpoint,
  replays: ReplayGuard,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  nowMs: number,
): HttpResponse | undefined {
  if (isSslCheck(rawBody, headers)) return { status: 200 };
  const problem = slackSignatureProblem(rawBody, headers, slack.signingSecrets, nowMs);
  if (problem) return { status: 401, body: { error: problem } };
  const signature = String(headers['x-slack-signature']);
  if (!replays.firstSeen(signature, Number(headers['x-slack-request-timestamp']), nowMs)) {
    return { status: 401, body: { error: 'replayed request' } };
  }
  const refused = slack.checkBody?.(rawBody, headers);
  return refused && { status: refused.status, body: { error: refused.error } };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent) return;
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...response.headers,
  });
  res.end(body);
}
