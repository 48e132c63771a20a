import type { IncomingHttpHeaders } from 'node:http';
import type { DomainError, DomainErrorCode } from '../shared/errors';

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

/**
 * The one table from a domain failure to its HTTP status: routes let a DomainError reach the server (or answer it
 * with {@link domainErrorResponse}) instead of choosing a status by hand, so the same refusal reads the same on
 * every route. Typed over every code, so a new code cannot ship without its status.
 */
export const DOMAIN_ERROR_HTTP_STATUS: Readonly<Record<DomainErrorCode, number>> = Object.freeze({
  invalid_input: 400,
  not_authorized: 403,
  not_your_claim: 403,
  not_found: 404,
  already_claimed: 409,
  not_claimable: 409,
  action_closed: 409,
  // Pickup runs but is not set up yet: unavailable until an admin finishes setup.
  not_set_up: 503,
});

/** The answer to a DomainError: its status from the table, its user-facing message as `error`, and `extra`. */
export function domainErrorResponse(err: DomainError, extra: Record<string, unknown> = {}): HttpResponse {
  return jsonError(DOMAIN_ERROR_HTTP_STATUS[err.code], err.userMessage, extra);
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
