import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Outgoing } from '../calls/outgoing';
import {
  type ComplaintInput,
  fromGenericComplaint,
  genericComplaintSchema,
  VENDOR_SOURCES,
} from '../complaints/complaint';
import type { MajorRule } from '../complaints/complaint.major';
import { type IntakeResult, receiveComplaint } from '../complaints/complaint.service';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { ADAPTERS } from '../helpdesks/registry';
import type { Logger } from '../logger';
import { safeEqual } from '../shared/crypto';
import { type HttpRequest, type HttpResponse, header, jsonError, matchesAny, type Route } from './http';
import { createRateLimiter, DEFAULT_WEBHOOK_RATE_LIMIT, type RateLimitOptions } from './rate-limit';

/** What the webhook routes need. */
export interface WebhookDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  kickOutbox: () => void;
  now: () => Date;
  /** Webhook events (a promoter survey's advocate.recorded), where set up; none when absent. */
  outgoing?: Outgoing | undefined;
  /** Requests allowed per (route, client address); default DEFAULT_WEBHOOK_RATE_LIMIT. */
  rateLimit?: RateLimitOptions | undefined;
  /** The limiter's millisecond clock; default monotonic, so a frozen or jumping `now` cannot jam it. */
  rateLimitClock?: (() => number) | undefined;
}

/** Webhook bodies above this are refused with 413 (contract). */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

/** True when the request carries `Authorization: Bearer <token>` for one of the INGEST_TOKEN values. */
export function hasIngestToken(req: HttpRequest, tokens: readonly string[]): boolean {
  const auth = header(req, 'authorization');
  const presented = auth === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1];
  if (presented === undefined) return false;
  return matchesAny(tokens, (token) => safeEqual(presented, token));
}

/** Parses a JSON body, or answers 415 (not JSON) or 400 (not UTF-8, malformed, or holding unstorable text). */
export function parseJsonBody(req: HttpRequest): { ok: true; body: unknown } | { ok: false; response: HttpResponse } {
  const type = header(req, 'content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    return { ok: false, response: jsonError(415, 'send the body as application/json') };
  }
  let text: string;
  try {
    // Fatal, so bytes that are not UTF-8 are refused instead of silently becoming U+FFFD in stored text.
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.rawBody);
  } catch {
    // The sender's mistake, not ours: answered 400 (the decoder's TypeError says nothing the answer does not).
    return {
      ok: false,
      response: jsonError(400, 'the body is not valid UTF-8', {
        issues: [{ path: '', message: 'contains bytes that are not valid UTF-8; send the body encoded as UTF-8' }],
      }),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    // The sender's mistake, not ours: answered 400 with the parser's reason.
    return {
      ok: false,
      response: jsonError(400, 'the body is not valid JSON', {
        issues: [{ path: '', message: `invalid JSON: ${jsonProblem(err, text)}` }],
      }),
    };
  }
  const bad = findUnstorableText(body);
  if (bad !== undefined) return { ok: false, response: validationError([bad]) };
  return { ok: true, body };
}

/**
 * What is wrong with a body JSON.parse refused, and where: the parser's own reason with line and column, without
 * the slice of the body V8 quotes in some messages (it may hold customer text, and answers can end up in logs).
 * The parser stays strict: help desks send standard JSON, so a trailing comma is a broken template to fix.
 */
export function jsonProblem(error: unknown, text: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  const reason = raw.replace(/, .*is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(raw)?.[1];
  if (position === undefined) return reason;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  const trailingComma = /,\s*$/.test(before) && /^\s*[}\]]/.test(text.slice(Number(position)));
  return `${reason} at line ${line}, column ${column}${trailingComma ? ' (a trailing comma before it?)' : ''}`;
}

/** Deeper JSON than this is no help-desk payload; refusing it also keeps the walk below off the stack limit. */
const MAX_JSON_DEPTH = 64;

/**
 * The first string (or key) PostgreSQL text cannot hold: a NUL character or a lone UTF-16 surrogate (what
 * `\udfff` escapes decode to), or nesting past MAX_JSON_DEPTH. Checked once here, so every webhook answers
 * 400 naming the field instead of failing at the database.
 */
export function findUnstorableText(
  value: unknown,
  path = '',
  depth = 0,
): { path: string; message: string } | undefined {
  if (depth > MAX_JSON_DEPTH) return { path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
  const unstorable = (s: string) => s.includes('\u0000') || !isWellFormed(s);
  const problem = (p: string) => ({
    path: p,
    message: 'contains a NUL character or malformed Unicode, which cannot be stored',
  });
  if (typeof value === 'string') return unstorable(value) ? problem(path) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  for (const [k, v] of entries) {
    const p = path ? `${path}.${k}` : k;
    if (unstorable(k)) return problem(p);
    const found = findUnstorableText(v, p, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** String.prototype.isWellFormed (Node 20), typed here because the ES2023 lib predates it. */
function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

/** A 400 naming every invalid field. */
export function validationError(issues: readonly { path: string; message: string }[]): HttpResponse {
  return jsonError(400, 'invalid complaint', { issues });
}

/** Maps zod issues to `{path, message}` with dotted paths. */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

const UNAUTHORIZED = jsonError(401, 'missing or invalid credentials');

/**
 * Wraps routes so each (route, client address) gets its own token bucket; an empty one is answered 429 with
 * Retry-After before anything else runs. Checked before authentication, so guessing tokens is throttled too.
 */
export function withRateLimit(deps: Pick<WebhookDeps, 'rateLimit' | 'rateLimitClock'>, routes: Route[]): Route[] {
  const limiter = createRateLimiter(
    deps.rateLimit ?? DEFAULT_WEBHOOK_RATE_LIMIT,
    deps.rateLimitClock ?? (() => performance.now()),
  );
  return routes.map((route) => ({
    ...route,
    async handle(req) {
      const decision = limiter.take(`${route.path} ${req.remoteAddress}`);
      if (!decision.allowed) {
        return {
          status: 429,
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
          body: { error: 'too many requests from this address, retry later', retryAfter: decision.retryAfterSeconds },
        };
      }
      return route.handle(req);
    },
  }));
}

function intakeResponse(result: IntakeResult): HttpResponse {
  switch (result.status) {
    case 'created':
      return { status: 201, body: { id: result.id, status: 'created' } };
    case 'duplicate':
      return { status: 200, body: { id: result.id, status: 'duplicate' } };
    case 'ignored':
      return { status: 202, body: { status: 'ignored', reason: result.reason } };
  }
}

/** POST /webhooks/complaints and one route per help desk. */
export function webhookRoutes(deps: WebhookDeps): Route[] {
  const { db, config } = deps;

  const intake = async (input: ComplaintInput, actor: string): Promise<HttpResponse> => {
    // Read per request: MAJOR_PRIORITIES and MAJOR_TAGS may be changed in Slack while Pickup runs.
    const rule: MajorRule = { priorities: config.majorPriorities, tags: config.majorTags };
    // No transaction: the delivery and its audit row are one statement, so autocommit keeps them together.
    const result = await receiveComplaint(db, input, rule, actor, deps.now());
    return intakeResponse(result);
  };

  const generic: Route = {
    method: 'POST',
    path: '/webhooks/complaints',
    bodyLimit: WEBHOOK_BODY_LIMIT,
    async handle(req) {
      if (!hasIngestToken(req, config.ingestTokens)) return UNAUTHORIZED;
      const parsed = parseJsonBody(req);
      if (!parsed.ok) return parsed.response;
      const body = genericComplaintSchema.safeParse(parsed.body);
      if (!body.success) return validationError(zodIssues(body.error));
      const input = fromGenericComplaint(body.data);
      return intake(input, `webhook:${input.source}`);
    },
  };

  const vendors: Route[] = VENDOR_SOURCES.map(
    (source): Route => ({
      method: 'POST',
      path: `/webhooks/${source}`,
      bodyLimit: WEBHOOK_BODY_LIMIT,
      async handle(req) {
        const adapter = ADAPTERS[source];
        const nowMs = deps.now().getTime();
        const signed = matchesAny(config.vendorSecrets[source], (secret) =>
          adapter.verifySignature(req, secret, nowMs),
        );
        if (!signed && !hasIngestToken(req, config.ingestTokens)) return UNAUTHORIZED;
        const parsed = parseJsonBody(req);
        if (!parsed.ok) return parsed.response;
        const result = adapter.parse(parsed.body, req.headers, config.vendorRules);
        switch (result.kind) {
          case 'ignored':
            return { status: 200, body: { status: 'ignored', reason: result.reason } };
          case 'invalid':
            return validationError(result.issues);
          case 'complaint':
            return intake(result.complaint, `webhook:${source}`);
        }
      },
    }),
  );

  return withRateLimit(deps, [generic, ...vendors]);
}
