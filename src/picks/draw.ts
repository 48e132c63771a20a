import { createHash, createHmac, randomBytes } from 'node:crypto';
import { dateInZone, weekBounds, weekOf } from '../shared/time';

/**
 * The daily draw, commit-reveal. Each Monday-to-Sunday week (in TIMEZONE) has one secret seed of 32 random bytes;
 * its SHA-256 (the commitment) is published before or with the first pick that uses it, and the seed itself once
 * the week is over. A day's index is HMAC-SHA256(seed, "date:poolHash") modulo the pool size, so the seed, the date
 * and the stored pool give back the same index to anyone, and nobody could choose the index without the seed.
 */

/** How many random bytes a week's seed has. */
export const SEED_BYTES = 32;

const HEX_64 = /^[0-9a-f]{64}$/;

/** A fresh week seed from the operating system's CSPRNG, as lowercase hex. */
export function generateSeed(): string {
  return randomBytes(SEED_BYTES).toString('hex');
}

function seedBytes(seedHex: string): Buffer {
  if (!HEX_64.test(seedHex)) throw new RangeError('a draw seed is 64 lowercase hex digits (32 bytes)');
  return Buffer.from(seedHex, 'hex');
}

/** The public commitment to a seed: hex SHA-256 of its 32 bytes (of the bytes, not of the hex text). */
export function commitTo(seedHex: string): string {
  return createHash('sha256').update(seedBytes(seedHex)).digest('hex');
}

/** The pool ascending, as numbers: the one order the hash and the index refer to. */
export function sortPool(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** Hex SHA-256 of the ids sorted ascending and joined by ','; anyone with the pool can recompute it. */
export function hashPool(sortedIds: readonly number[]): string {
  return createHash('sha256').update(sortedIds.join(',')).digest('hex');
}

/** The message the seed's HMAC is taken over: the pick date and the pool hash. */
export function drawMessage(date: string, poolHash: string): string {
  return `${date}:${poolHash}`;
}

/**
 * The index drawn for a date: HMAC-SHA256 keyed with the seed's bytes over "date:poolHash", read as a 256-bit
 * big-endian unsigned integer, modulo the pool size.
 *
 * A modulo rather than rejection sampling: reducing a uniform 256-bit number modulo n makes some indexes more likely
 * than others by at most n / 2^256 (under 2^-224 for any pool a database can hold), far below anything a test or an
 * attacker could ever observe, and it needs no loop, so anyone can redo it with one HMAC and one modulo.
 */
export function drawIndex(seedHex: string, date: string, poolHash: string, poolSize: number): number {
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new RangeError(`cannot draw from a pool of ${poolSize}`);
  const mac = createHmac('sha256', seedBytes(seedHex)).update(drawMessage(date, poolHash)).digest('hex');
  return Number(BigInt(`0x${mac}`) % BigInt(poolSize));
}

/** The outcome of one draw, with everything needed to re-check it. */
export interface Draw {
  complaintId: number | null;
  poolSize: number;
  drawnIndex: number | null;
  poolHash: string;
  /** The pool, ascending. */
  poolIds: number[];
}

/** Draws one id from the pool with the week's seed; the empty pool draws nothing. */
export function drawFromPool(ids: readonly number[], seedHex: string, date: string): Draw {
  const poolIds = sortPool(ids);
  const poolHash = hashPool(poolIds);
  if (poolIds.length === 0) return { complaintId: null, poolSize: 0, drawnIndex: null, poolHash, poolIds };
  const drawnIndex = drawIndex(seedHex, date, poolHash, poolIds.length);
  const complaintId = poolIds[drawnIndex];
  if (complaintId === undefined) throw new RangeError(`no id at index ${drawnIndex}`);
  return { complaintId, poolSize: poolIds.length, drawnIndex, poolHash, poolIds };
}

/**
 * The week (its Monday) whose seed a draw made at `drawnAt` uses: the week in progress, never the pick date's, so
 * a pick for a past date (the CLI allows one) cannot use a seed that is already revealed.
 */
export function seedWeekFor(drawnAt: Date, timeZone: string): string {
  return weekOf(dateInZone(drawnAt, timeZone)).start;
}

/** When a week's seed may be revealed: midnight after its Sunday, in TIMEZONE. */
export function seedRevealsAt(weekStart: string, timeZone: string): Date {
  return weekBounds(weekStart, timeZone).to;
}

/** A pick as stored, with what verification reads. The draw columns are null on picks that predate them. */
export interface StoredDraw {
  date: string;
  complaintId: number | null;
  poolSize: number;
  drawnIndex: number | null;
  poolHash: string;
  poolIds: readonly number[] | null;
  seedWeek: string | null;
  seedCommitment: string | null;
  drawnAt: Date;
}

/** A week's seed as stored. */
export interface StoredSeed {
  weekStart: string;
  seed: string;
  commitment: string;
}

/** What re-checking a stored draw found. */
export type DrawVerification =
  | { status: 'verified'; draw: StoredDraw; seed: StoredSeed; poolIds: number[]; index: number | null }
  | { status: 'failed'; draw: StoredDraw; problems: string[] }
  | { status: 'unrevealed'; draw: StoredDraw; seedWeek: string; revealsAt: Date }
  | { status: 'predates'; draw: StoredDraw };

/** What is wrong with the stored pool, index and pick, using nothing secret. */
function poolProblems(draw: StoredDraw, poolIds: number[]): string[] {
  const problems: string[] = [];
  if (poolIds.length !== draw.poolSize) {
    problems.push(`the stored pool has ${poolIds.length} ids but the pick records ${draw.poolSize} eligible`);
  }
  if (new Set(poolIds).size !== poolIds.length) problems.push('the stored pool lists an id more than once');
  const hash = hashPool(poolIds);
  if (hash !== draw.poolHash) {
    problems.push(`the stored pool ids hash to ${hash}, not to the pool hash recorded at the draw (${draw.poolHash})`);
  }
  if (poolIds.length === 0) {
    if (draw.complaintId !== null || draw.drawnIndex !== null)
      problems.push('the pool was empty but a complaint is recorded');
  } else if (draw.drawnIndex === null || draw.drawnIndex < 0 || draw.drawnIndex >= poolIds.length) {
    problems.push(`the recorded index ${draw.drawnIndex} is not a position in a pool of ${poolIds.length}`);
  } else if (poolIds[draw.drawnIndex] !== draw.complaintId) {
    problems.push(
      `the recorded complaint ${draw.complaintId} is not the one at index ${draw.drawnIndex} of the pool (${poolIds[draw.drawnIndex]})`,
    );
  }
  return problems;
}

/** What is wrong with the seed that no-one but the database knows before the reveal. */
function secretFreeSeedProblems(draw: StoredDraw, seed: StoredSeed | undefined, timeZone: string): string[] {
  const week = draw.seedWeek ?? '';
  if (!seed) return [`the seed of the week of ${week} is missing`];
  const problems: string[] = [];
  if (seed.commitment !== draw.seedCommitment) {
    problems.push(
      `the week's stored commitment (${seed.commitment}) differs from the one published with this pick (${draw.seedCommitment})`,
    );
  }
  if (draw.drawnAt.getTime() >= seedRevealsAt(week, timeZone).getTime()) {
    problems.push(`the draw was made after its seed (week of ${week}) could be revealed`);
  }
  return problems;
}

/**
 * Re-checks a stored draw: the pool hash and the picked complaint from the stored pool ids, the seed against the
 * commitment published with the pick, and the index from the seed, the date and the pool. Before the seed's week is
 * over only the checks that need no seed run; the answer is then 'unrevealed' unless one of them already failed.
 */
export function verifyStoredDraw(
  draw: StoredDraw,
  seed: StoredSeed | undefined,
  now: Date,
  timeZone: string,
): DrawVerification {
  if (draw.poolIds === null || draw.seedWeek === null || draw.seedCommitment === null) {
    return { status: 'predates', draw };
  }
  const poolIds = sortPool(draw.poolIds);
  const problems = [...poolProblems(draw, poolIds), ...secretFreeSeedProblems(draw, seed, timeZone)];
  const revealsAt = seedRevealsAt(draw.seedWeek, timeZone);
  if (now.getTime() < revealsAt.getTime()) {
    return problems.length > 0
      ? { status: 'failed', draw, problems }
      : { status: 'unrevealed', draw, seedWeek: draw.seedWeek, revealsAt };
  }
  if (!seed) return { status: 'failed', draw, problems };
  if (!HEX_64.test(seed.seed) || commitTo(seed.seed) !== draw.seedCommitment) {
    problems.push('the stored seed does not match the commitment published with the pick');
    return { status: 'failed', draw, problems };
  }
  // The recorded pool hash, as the draw used it: a changed pool is reported above, a changed index here.
  const index = poolIds.length === 0 ? null : drawIndex(seed.seed, draw.date, draw.poolHash, poolIds.length);
  if (index !== draw.drawnIndex) {
    problems.push(`the seed, the date and the pool give index ${index}, not the recorded ${draw.drawnIndex}`);
  }
  if (problems.length > 0) return { status: 'failed', draw, problems };
  return { status: 'verified', draw, seed, poolIds, index };
}

/** What the weekly digest publishes: a seed whose week is over, and the commitment of the week in progress. */
export interface PublishedSeeds {
  /** Null when no draw used a seed that week. */
  revealed: StoredSeed | null;
  /** Null when the week in progress has no seed yet (only on a dry run, which writes nothing). */
  current: { weekStart: string; commitment: string } | null;
}
