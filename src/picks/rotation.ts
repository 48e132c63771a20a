import { randomInt } from 'node:crypto';

/** A uniform random integer in [0, n), from the operating system's CSPRNG. */
export function cryptoRandomIndex(n: number): number {
  return randomInt(n);
}

function pickIndex(n: number, random: (n: number) => number): number {
  const index = random(n);
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new RangeError(`random source returned ${index}, outside [0, ${n})`);
  }
  return index;
}

/** An available executive and how many complaints they claimed recently. */
export interface RotationCandidate {
  userId: string;
  recentClaims: number;
}

/** The window the rotation counts claims over. */
export const ROTATION_WINDOW_DAYS = 30;

/**
 * The executive with the fewest recent claims; ties are broken at random so nobody is always first.
 * Candidates must already exclude anyone away. Null when there is no candidate.
 */
export function chooseSuggestedExecutive(
  candidates: readonly RotationCandidate[],
  random: (n: number) => number = cryptoRandomIndex,
): string | null {
  if (candidates.length === 0) return null;
  const fewest = Math.min(...candidates.map((c) => c.recentClaims));
  // Sorted so an injected random source gives the same answer whatever order the caller listed people in.
  const tied = [...new Set(candidates.filter((c) => c.recentClaims === fewest).map((c) => c.userId))].sort();
  if (tied.length === 1) return tied[0] ?? null;
  return tied[pickIndex(tied.length, random)] ?? null;
}
