/** How a rate limiter behaves: a burst of `burst` requests, refilled evenly over `windowMs`. */
export interface RateLimitOptions {
  /** Requests a fresh source may send at once; also the most a bucket ever holds. */
  burst: number;
  /** Time for an empty bucket to refill completely (so the sustained rate is burst / windowMs). */
  windowMs: number;
  /** Most sources tracked at once; beyond it, idle and then oldest buckets are dropped. Default 10,000. */
  maxKeys?: number;
}

/** The verdict for one request. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A token bucket per key, in memory. */
export interface RateLimiter {
  /** Takes one token for `key`, or says how long until one is available. */
  take(key: string): RateLimitDecision;
}

/** Per source on webhooks: 300 requests at once, 30 a second sustained; far above any help desk's real rate. */
export const DEFAULT_WEBHOOK_RATE_LIMIT: RateLimitOptions = { burst: 300, windowMs: 10_000 };

const DEFAULT_MAX_KEYS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Creates a token-bucket limiter. `now` is a millisecond clock, injected so tests can drive time;
 * a monotonic clock suits production, since a wall-clock jump must neither block nor release everyone.
 * Memory is bounded by `maxKeys`, because client addresses are the sender's to invent.
 */
export function createRateLimiter(options: RateLimitOptions, now: () => number): RateLimiter {
  if (!(options.burst >= 1) || !(options.windowMs > 0)) {
    throw new Error(`a rate limit needs burst >= 1 and windowMs > 0, got ${options.burst}/${options.windowMs}`);
  }
  const perMs = options.burst / options.windowMs;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, t: number): number =>
    Math.min(options.burst, bucket.tokens + Math.max(0, t - bucket.at) * perMs);

  const makeRoom = (t: number) => {
    // A full bucket holds no state worth keeping: forgetting it changes no future decision.
    for (const [key, bucket] of buckets) if (refill(bucket, t) >= options.burst) buckets.delete(key);
    // Still too many busy sources: drop the least recently seen (Map keeps insertion order; take() re-inserts).
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  return {
    take(key) {
      const t = now();
      const existing = buckets.get(key);
      if (!existing && buckets.size >= maxKeys) makeRoom(t);
      const tokens = existing ? refill(existing, t) : options.burst;
      buckets.delete(key);
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: t });
        return { allowed: true };
      }
      buckets.set(key, { tokens, at: t });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    },
  };
}
