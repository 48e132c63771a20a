import type { z } from 'zod';
import type { Logger } from '../logger';
import { HelpDeskApiError } from '../ports/helpdesk.port';
import { redactText } from '../privacy/redact';
import { htmlToText } from './html';

/** How long one help-desk call may take, answer included, before it counts as failed (and retryable). */
export const DEFAULT_API_TIMEOUT_MS = 15_000;

/** How long a vendor asked us to wait, read from the headers of a 429 (or 503) answer; undefined when it did not say. */
export type RetryAfterReader = (headers: Headers, nowMs: number) => number | undefined;

/** What the operator is told to fix when a vendor refuses the credentials (401) or their permissions (403). */
export interface VendorFixes {
  credentials: string;
  permissions: string;
  /** The settings that make the base URL, named when a 404 or a strange answer may mean it points elsewhere. */
  baseUrl: string;
}

/** One vendor's API as the shared plumbing sees it. */
export interface VendorApiOptions {
  /** The vendor's name as operators know it, at the start of every error message ("Zendesk"). */
  vendor: string;
  /** Scheme and host (and any path prefix); request paths are appended to it. */
  baseUrl: string;
  /** Sent with every request (auth, API version, Accept). */
  headers?: Record<string, string>;
  fixes: VendorFixes;
  retryAfter: RetryAfterReader;
  timeoutMs?: number;
  logger?: Logger;
}

/** One call. `path` is already encoded; ids in it go through encodeURIComponent. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string | number>;
  /** A JSON body, or `form` for an application/x-www-form-urlencoded one (OAuth token endpoints). */
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** A successful answer, its body parsed with the caller's schema. */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Reads a Retry-After value: delay-seconds or an HTTP-date, as milliseconds from now (never negative). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date names its day and month; Date.parse would read a bare "-5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A header holding delay-seconds or an HTTP-date: Retry-After (Zendesk, Freshdesk, Jira), X-RateLimit-Retry-After (Help Scout). */
export function retryAfterHeader(name: string): RetryAfterReader {
  return (headers, nowMs) => parseRetryAfter(headers.get(name), nowMs);
}

/** A header holding the Unix time (seconds) the limit resets at: Intercom's X-RateLimit-Reset. */
export function resetAtHeader(name: string): RetryAfterReader {
  return (headers, nowMs) => {
    const seconds = Number(headers.get(name) ?? Number.NaN);
    return Number.isFinite(seconds) && seconds > 0 ? Math.max(0, seconds * 1000 - nowMs) : undefined;
  };
}

// Statuses worth another try: timeouts, conflicts from concurrent edits, "too early" and rate limits.
const RETRYABLE_CLIENT_STATUSES = new Set([408, 409, 425, 429]);
// Vendor error bodies can be long; the reason shown by `outbox` and /healthz stays readable.
const MAX_DETAIL_LENGTH = 200;

/** Strings from the error fields vendors use (Zendesk `error`/`description`, Jira `errorMessages`/`errors`, ...). */
function errorStrings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth > 2 || typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => errorStrings(item, depth + 1));
  const fields = ['error', 'errorMessages', 'errors', 'message', 'description', 'details', 'title'];
  const record = value as Record<string, unknown>;
  const known = fields.flatMap((field) => errorStrings(record[field], depth + 1));
  // Jira's `errors` and Freshdesk's field errors are maps of field name to message.
  return known.length > 0 || depth === 0 ? known : Object.values(record).flatMap((v) => errorStrings(v, depth + 1));
}

/** The vendor's own words about a refused request, with any contact details removed, then cut short. */
function vendorDetail(body: unknown): string | undefined {
  // A body that is not JSON is usually a proxy's HTML error page: its text, not its markup.
  const strings = typeof body === 'string' ? [htmlToText(body)] : errorStrings(body);
  // One line: the reason is shown in `outbox` listings and log lines.
  const text = [...new Set(strings.map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean))].join('; ');
  if (!text) return undefined;
  // Redacted before it is cut, so a cut cannot leave half an address the policy no longer recognises.
  const redacted = redactText(text);
  return redacted.length > MAX_DETAIL_LENGTH ? `${redacted.slice(0, MAX_DETAIL_LENGTH - 1)}…` : redacted;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (an HTML error page from a proxy, say): the text is what there is to report.
    return text;
  }
}

/** Turns a vendor's non-2xx answer into the port's error: permanent for credentials and missing tickets, else by status. */
function errorForStatus(
  options: VendorApiOptions,
  call: string,
  status: number,
  headers: Headers,
  body: unknown,
): HelpDeskApiError {
  const { vendor, fixes } = options;
  const detail = vendorDetail(body);
  const said = detail ? ` (${vendor} said: ${detail})` : '';
  if (status === 401) {
    return new HelpDeskApiError(`${vendor} refused the credentials (401 on ${call}): ${fixes.credentials}`, false, {
      status,
    });
  }
  if (status === 403) {
    return new HelpDeskApiError(`${vendor} denied the request (403 on ${call}): ${fixes.permissions}${said}`, false, {
      status,
    });
  }
  if (status === 404) {
    return new HelpDeskApiError(
      `${vendor} has no such ticket (404 on ${call}): it was deleted or merged, the API account cannot see it, or ${fixes.baseUrl} points to the wrong place`,
      false,
      { status },
    );
  }
  const retryAfterMs = options.retryAfter(headers, Date.now());
  if (status === 429) {
    return new HelpDeskApiError(`${vendor} is rate-limiting Pickup (429 on ${call})`, true, { status, retryAfterMs });
  }
  if (status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status)) {
    return new HelpDeskApiError(`${vendor} could not handle the request (${status} on ${call})${said}`, true, {
      status,
      retryAfterMs,
    });
  }
  return new HelpDeskApiError(`${vendor} refused the request (${status} on ${call})${said}`, false, { status });
}

/** The fields of a thrown error, read without `instanceof` (fetch's errors may come from another realm). */
function errorFields(value: unknown): { message?: unknown; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null ? value : {};
}

/** Why fetch itself failed: our timeout, the caller's cancellation, or the network. Always worth a retry. */
function errorForNetwork(
  options: VendorApiOptions,
  call: string,
  signals: { timeout: AbortSignal; caller: AbortSignal | undefined },
  err: unknown,
): HelpDeskApiError {
  const { vendor } = options;
  if (signals.timeout.aborted) {
    const seconds = (options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS) / 1000;
    return new HelpDeskApiError(`${vendor} did not answer within ${seconds} s (${call})`, true, { cause: err });
  }
  if (signals.caller?.aborted) return new HelpDeskApiError(`${vendor} call cancelled (${call})`, true, { cause: err });
  // fetch wraps the socket error ("fetch failed"); its cause has the code worth showing (ECONNREFUSED, ENOTFOUND).
  const { cause, message } = errorFields(err);
  const inner = errorFields(cause);
  const reason = [inner.code, inner.message, message].find((v): v is string => typeof v === 'string' && v !== '');
  return new HelpDeskApiError(`${vendor} could not be reached (${call}): ${reason ?? String(err)}`, true, {
    cause: err,
  });
}

/** Calls a help desk's REST API: one place for timeouts, error classification and Retry-After. */
export interface VendorApi {
  readonly vendor: string;
  /**
   * Sends the request and parses a 2xx body with `schema` (an empty body parses as undefined). Throws
   * HelpDeskApiError for every failure: a non-2xx answer, no answer in time, a network error, or a body that is
   * not what the vendor documents (permanent: usually a base URL pointing at the wrong place).
   */
  request<T>(req: ApiRequest, schema: z.ZodType<T>): Promise<ApiResponse<T>>;
}

/** The shared HTTP plumbing for one vendor; each client adds its paths, bodies and mapping. */
export function createVendorApi(options: VendorApiOptions): VendorApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;

  async function request<T>(req: ApiRequest, schema: z.ZodType<T>): Promise<ApiResponse<T>> {
    const call = `${req.method} ${req.path}`;
    const url = new URL(`${base}${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...req.headers };
    let body: string | undefined;
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const startedAt = Date.now();
    let response: Response;
    let parsed: unknown;
    try {
      response = await fetch(url, { method: req.method, headers, body, signal });
      // The body is read under the same deadline: a vendor that stalls mid-answer is as unhealthy as a silent one.
      parsed = await readBody(response);
    } catch (err) {
      throw errorForNetwork(options, call, { timeout, caller: req.signal }, err);
    }
    options.logger?.debug(
      { vendor: options.vendor, call, status: response.status, ms: Date.now() - startedAt },
      'help-desk API call',
    );
    if (!response.ok) throw errorForStatus(options, call, response.status, response.headers, parsed);
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const where = result.error.issues[0]?.path.join('.') || '(body)';
      throw new HelpDeskApiError(
        `${options.vendor} answered ${call} in an unexpected shape (at ${where}): check ${options.fixes.baseUrl}`,
        false,
        { status: response.status },
      );
    }
    return { status: response.status, headers: response.headers, body: result.data };
  }

  return { vendor: options.vendor, request };
}

/** Basic auth's header value. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
