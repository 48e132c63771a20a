import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config';
import { type OutgoingWebhook, type PickupEvent, WebhookDeliveryError } from '../../ports/events.port';

/** The header that carries `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's scheme). */
export const SIGNATURE_HEADER = 'Pickup-Signature';
/** The event's id, also in the body: the idempotency key. */
export const EVENT_ID_HEADER = 'Pickup-Event-Id';
/** The event's type, also in the body. */
export const EVENT_TYPE_HEADER = 'Pickup-Event-Type';
/** Sent on every event, so a receiver's logs say who called. */
export const WEBHOOK_USER_AGENT = 'Pickup-Webhooks/1';
/** How long a receiver has to answer before the event is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** What the README advises receivers to accept: a signature at most this old (replays after it are refused). */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** How much of a refusal's body is kept in the recorded reason: enough for "invalid signature", not a whole page. */
const EXCERPT_CHARS = 200;
/** A Retry-After beyond this is read as this: a receiver cannot park an event for weeks by mistake. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** The hex HMAC-SHA256 of `"<t>.<raw body>"`: what `v1=` carries. */
export function computeSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * The Pickup-Signature header for a body sent at `timestamp` (unix seconds): one `v1=` per secret, so while
 * OUTCOME_WEBHOOK_SECRET is rotated (old and new value both set) a receiver holding either one verifies it.
 */
export function signatureHeader(secrets: readonly string[], timestamp: number, rawBody: string | Buffer): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${computeSignature(s, timestamp, rawBody)}`)].join(',');
}

/**
 * True when `header` (Pickup-Signature) holds a `v1` signature of `rawBody` made with `secret`, and its timestamp
 * is within `toleranceMs` of `nowMs`. Self-contained (node:crypto only) so a receiver can copy it; verify the raw
 * bytes received, never a re-serialised body.
 */
export function verifyPickupSignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  nowMs: number,
  toleranceMs: number = DEFAULT_SIGNATURE_TOLERANCE_MS,
): boolean {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowMs - t * 1000) > toleranceMs) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex'));
  return parts.some(([k, v]) => {
    const given = Buffer.from(v ?? '');
    return k === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Milliseconds to wait from a Retry-After header (delta seconds, or an HTTP date), if it says anything usable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Where events go and what signs them. */
export interface OutgoingWebhookOptions {
  url: string;
  /** Each value signs (see signatureHeader); at least one. */
  secrets: readonly string[];
  timeoutMs?: number;
  /** The clock the signature's timestamp comes from. */
  now: () => Date;
}

/** The start of a response body, on one line, for the recorded reason; the rest is read and dropped. */
async function excerptOf(response: Response): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    // The status already decided the outcome; a body cut off mid-read costs only the excerpt, and says so.
    return `(the body could not be read: ${err instanceof Error ? err.message : String(err)})`;
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/** The outcome of an answer: nothing for 2xx, otherwise the error the outbox records (and retries, or not). */
function refusal(response: Response, excerpt: string, nowMs: number): WebhookDeliveryError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const said = excerpt ? `: ${excerpt}` : '';
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    return new WebhookDeliveryError(
      `the webhook receiver answered HTTP ${status} (a redirect${location ? ` to ${location}` : ''}); Pickup does not follow redirects`,
      false,
      { status },
    );
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after'), nowMs) : undefined;
  return new WebhookDeliveryError(`the webhook receiver answered HTTP ${status}${said}`, retryable, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * The outcome webhook over HTTP: each event is POSTed as JSON, signed, with its id and type in headers.
 * 2xx is delivered. 408, 429, 5xx, a network failure or no answer within the time-out are retried (Retry-After
 * honoured); any other answer (410 Gone, 4xx, a redirect) is a permanent refusal with the status in the reason.
 */
export function createOutgoingWebhook(options: OutgoingWebhookOptions): OutgoingWebhook {
  if (options.secrets.length === 0) throw new Error('an outgoing webhook needs at least one signing secret');
  const { now } = options;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    async send(event: PickupEvent): Promise<void> {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(now().getTime() / 1000);
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': WEBHOOK_USER_AGENT,
            [SIGNATURE_HEADER]: signatureHeader(options.secrets, timestamp, body),
            [EVENT_ID_HEADER]: event.id,
            [EVENT_TYPE_HEADER]: event.type,
          },
          body,
          // A redirected POST may become a GET elsewhere; the operator should configure the final URL instead.
          redirect: 'manual',
          signal,
        });
      } catch (err) {
        const why = signal.aborted
          ? `the webhook receiver did not answer within ${timeoutMs / 1000} s`
          : `could not reach the webhook receiver: ${describeNetworkError(err)}`;
        throw new WebhookDeliveryError(why, true, { cause: err });
      }
      const problem = refusal(response, await excerptOf(response), now().getTime());
      if (problem) throw problem;
    },
  };
}

/** The outcome webhook OUTCOME_WEBHOOK_URL names, signed with OUTCOME_WEBHOOK_SECRET; undefined when it is unset. */
export function createOutcomeWebhook(
  config: Pick<Config, 'outcomeWebhook'>,
  now: () => Date,
): OutgoingWebhook | undefined {
  return config.outcomeWebhook ? createOutgoingWebhook({ ...config.outcomeWebhook, now }) : undefined;
}

/** A property of an error-like value, read without trusting its class (undici's errors come from another realm). */
function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** fetch's TypeError says only "fetch failed"; its cause names the real reason (ECONNREFUSED, a TLS error…). */
function describeNetworkError(err: unknown): string {
  const cause = fieldOf(err, 'cause');
  const code = fieldOf(cause, 'code');
  const message = fieldOf(cause, 'message') ?? fieldOf(err, 'message') ?? String(err);
  return typeof code === 'string' ? `${code} (${String(message)})` : String(message);
}
