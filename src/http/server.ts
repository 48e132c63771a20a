import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { isDatabaseUnavailable } from '../shared/errors';
import type { HttpRequest, HttpResponse, Route } from './http';

/** Slack's endpoint, served by Bolt's receiver behind Pickup's own pre-checks. */
export interface SlackEndpoint {
  path: string;
  listener: RequestListener;
  bodyLimit: number;
}

/** Options for {@link createHttpServer}. */
export interface HttpServerOptions {
  routes: readonly Route[];
  slack?: SlackEndpoint;
  logger: Logger;
  /** Wall-clock now, for the Slack timestamp check. */
  now?: () => number;
}

/** Slack signs a timestamp; one further than this from now, in either direction, is refused. */
const SLACK_TIMESTAMP_TOLERANCE_S = 5 * 60;

class BodyTooLarge extends Error {}

/** The one HTTP server: Pickup's routes, and Slack's endpoint in HTTP mode. */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const { routes, slack, logger } = options;
  const now = options.now ?? Date.now;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (slack && url.pathname === slack.path) {
      const problem = checkSlackRequest(req, slack.bodyLimit, now());
      if (problem) return send(res, { status: problem.status, body: { error: problem.error } });
      return slack.listener(req, res);
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
    if (err instanceof BodyTooLarge) {
      return {
        status: 413,
        body: { error: `body larger than ${route.bodyLimit} bytes` },
        headers: { connection: 'close' },
      };
    }
    return { status: 400, body: { error: 'could not read the request body' } };
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
    if (isDatabaseUnavailable(err)) {
      log.warn({ err }, 'database unavailable');
      return { status: 503, headers: { 'retry-after': '30' }, body: { error: 'database unavailable, retry later' } };
    }
    log.error({ err }, 'request failed');
    return { status: 500, body: { error: 'internal error', requestId } };
  }
}

/** Reads the body, refusing early on a declared or actual size over the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(new BodyTooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Pickup's checks before Bolt sees a Slack request: a body-size cap, and a timestamp in the future,
 * which Bolt lets through but Slack's guidance refuses. Bolt then verifies the signature and staleness.
 */
function checkSlackRequest(
  req: IncomingMessage,
  bodyLimit: number,
  nowMs: number,
): { status: number; error: string } | undefined {
  if (Number(req.headers['content-length'] ?? 0) > bodyLimit) return { status: 413, error: 'body too large' };
  const ts = Number(header(req, 'x-slack-request-timestamp'));
  if (!Number.isFinite(ts)) return { status: 401, error: 'missing or malformed x-slack-request-timestamp' };
  if (ts - nowMs / 1000 > SLACK_TIMESTAMP_TOLERANCE_S)
    return { status: 401, error: 'request timestamp is in the future' };
  return undefined;
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
