import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { safeEqual } from '../shared/crypto';
import { matchesAny } from './http';

/** Slack signs a timestamp; one further than this from now, in either direction, is refused. */
export const SLACK_TIMESTAMP_TOLERANCE_S = 5 * 60;

/** Slack's v0 signature of a request: `v0=` + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}"). */
export function slackSignature(secret: string, timestampSec: string, rawBody: Buffer): string {
  const mac = createHmac('sha256', secret).update(`v0:${timestampSec}:`).update(rawBody).digest('hex');
  return `v0=${mac}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Why a request to /slack/events is not from Slack, or undefined when it is: its timestamp is within
 * SLACK_TIMESTAMP_TOLERANCE_S of now (both directions: Bolt lets future ones through, Slack's guidance does not)
 * and its signature matches one of the signing secrets. Bolt's receiver takes a single secret, so Pickup verifies
 * here, against every configured one, and Bolt runs with its own check off.
 */
export function slackSignatureProblem(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  secrets: readonly string[],
  nowMs: number,
): string | undefined {
  const timestamp = header(headers, 'x-slack-request-timestamp') ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) return 'missing or malformed x-slack-request-timestamp';
  const skew = Number(timestamp) - nowMs / 1000;
  if (skew > SLACK_TIMESTAMP_TOLERANCE_S) return 'request timestamp is in the future';
  if (skew < -SLACK_TIMESTAMP_TOLERANCE_S) return 'request timestamp is too old';
  const signature = header(headers, 'x-slack-signature');
  if (!signature) return 'missing x-slack-signature';
  const valid = matchesAny(secrets, (secret) => safeEqual(signature, slackSignature(secret, timestamp, rawBody)));
  return valid ? undefined : 'invalid signature';
}

/**
 * True for Slack's SSL check (`ssl_check=1`, form-encoded), which Slack sends unsigned and which only asks for a
 * 200. Bolt answers it without a signature too, after dropping any other field, so nothing rides along unverified.
 */
export function isSslCheck(rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
  if (header(headers, 'content-type') !== 'application/x-www-form-urlencoded') return false;
  return new URLSearchParams(rawBody.toString('utf8')).get('ssl_check') === '1';
}
