/**
 * Remembers the signatures of the Slack requests this process accepted, for as long as their timestamps are
 * acceptable, so a byte-identical replay is refused. A signature covers the timestamp and the body, so a genuine
 * request never repeats one: Slack sends no retries of commands or interactivity, and re-signs its Events API
 * retries with a fresh timestamp.
 */
export interface ReplayGuard {
  /** False when this signature was already seen and is still within its window; otherwise remembers it. */
  firstSeen(signature: string, timestampSec: number, nowMs: number): boolean;
  /** Drops a signature whose request was refused anyway (a bad signature), so junk cannot fill the memory. */
  forget(signature: string): void;
}

/** Options for {@link createReplayGuard}. */
export interface ReplayGuardOptions {
  /** How far a timestamp may be from now, in either direction, before the request is refused anyway. */
  toleranceS: number;
  /** Most signatures held; past it the oldest are dropped first (a replay of one of them would then get through). */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/** Creates an in-memory replay guard (per process). */
export function createReplayGuard(options: ReplayGuardOptions): ReplayGuard {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  // Signature → the instant after which its timestamp is stale, so a replay would be refused as stale anyway.
  const seen = new Map<string, number>();
  let inserts = 0;

  const sweep = (nowMs: number) => {
    for (const [signature, expiresAt] of seen) if (expiresAt <= nowMs) seen.delete(signature);
    for (const signature of seen.keys()) {
      if (seen.size < maxEntries) break;
      seen.delete(signature);
    }
  };

  return {
    firstSeen(signature, timestampSec, nowMs) {
      const expiresAt = seen.get(signature);
      if (expiresAt !== undefined && expiresAt > nowMs) return false;
      inserts += 1;
      if (seen.size >= maxEntries || inserts % 1000 === 0) sweep(nowMs);
      seen.set(signature, (timestampSec + options.toleranceS) * 1000);
      return true;
    },
    forget(signature) {
      seen.delete(signature);
    },
  };
}
