import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; unequal lengths are simply unequal. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** HMAC of the raw body bytes (never a re-serialised body: vendors sign exactly what they sent). */
export function hmac(algorithm: 'sha1' | 'sha256', secret: string, data: Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac(algorithm, secret).update(data).digest(encoding);
}
