import type { IncomingHttpHeaders } from 'node:http';

/** A request as route handlers see it: the raw body is read (and size-checked) already. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact bytes received, for signature checks. */
  rawBody: Buffer;
  requestId: string;
  /** The peer's address (the proxy's, behind one): the source rate limits count per. */
  remoteAddress: string;
}

/** What a route answers; `body` is sent as JSON. */
export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One endpoint of Pickup's own (Slack's endpoint is Bolt's). */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Largest accepted body in bytes; larger ones get 413 before the handler runs. */
  bodyLimit: number;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

/** A JSON error answer naming what went wrong. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): HttpResponse {
  return { status, body: { error, ...extra } };
}

/** Reads one header as a string (the first, when repeated). */
export function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * True when `check` holds for any of `secrets`. Every secret is tried, so how long the answer takes does not
 * tell which one (or whether any) matched; each check compares in constant time itself.
 */
export function matchesAny(secrets: readonly string[], check: (secret: string) => boolean): boolean {
  return secrets.reduce((matched, secret) => check(secret) || matched, false);
}
