import { createHash, createHmac } from 'node:crypto';
import {
  commitTo,
  drawFromPool,
  drawIndex,
  generateSeed,
  hashPool,
  type StoredDraw,
  type StoredSeed,
  seedRevealsAt,
  seedWeekFor,
  verifyStoredDraw,
} from '../../src/picks/draw';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Deterministic seeds, so the statistical tests give the same answer on every run and cannot flake. */
const seedNo = (i: number) => sha256(`pickup-test-seed-${i}`);
/** 00 01 02 … 1f: the seed of the hand-checked vector below (computed with Python's hmac module). */
const VECTOR_SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex');

/** Pearson's chi-square of observed counts against a uniform expectation. */
function chiSquare(counts: readonly number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}

describe('the seed and its commitment', () => {
  it('a seed is 32 random bytes as hex, different every time', () => {
    const a = generateSeed();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSeed()).not.toBe(a);
  });

  it('the commitment is SHA-256 of the seed bytes (not of its hex text)', () => {
    expect(commitTo(VECTOR_SEED)).toBe('630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
    expect(commitTo(VECTOR_SEED)).not.toBe(sha256(VECTOR_SEED));
  });

  it.each(['', 'ab', VECTOR_SEED.toUpperCase(), `${VECTOR_SEED}00`, 'z'.repeat(64)])('refuses the seed %p', (bad) => {
    expect(() => commitTo(bad)).toThrow(RangeError);
    expect(() => drawIndex(bad, '2026-11-23', sha256(''), 3)).toThrow(RangeError);
  });

  it('uses the seed of the week in progress where the draw happens, Monday to Sunday in TIMEZONE', () => {
    // Monday 03:00 UTC is still Sunday evening in New York.
    const at = new Date('2026-11-23T03:00:00Z');
    expect(seedWeekFor(at, 'UTC')).toBe('2026-11-23');
    expect(seedWeekFor(at, 'America/New_York')).toBe('2026-11-16');
    expect(seedRevealsAt('2026-11-16', 'America/New_York')).toEqual(new Date('2026-11-23T05:00:00Z'));
  });
});

describe('drawFromPool', () => {
  it('hashes the ids sorted ascending and joined by commas, whatever order they came in', () => {
    const a = drawFromPool([30, 4, 1000, 7], VECTOR_SEED, '2026-11-23');
    const b = drawFromPool([7, 1000, 30, 4], VECTOR_SEED, '2026-11-23');
    expect(a.poolHash).toBe(sha256('4,7,30,1000'));
    expect(hashPool([4, 7, 30, 1000])).toBe(a.poolHash);
    expect(b).toEqual(a);
    expect(a.poolIds).toEqual([4, 7, 30, 1000]);
  });

  it('derives the index as HMAC-SHA256(seed, "date:poolHash") mod n, as an independent computation gives', () => {
    // python3: int(hmac.new(seed, b"2026-11-23:" + poolHash, sha256).hexdigest(), 16) % 4 == 1
    expect(drawFromPool([30, 4, 1000, 7], VECTOR_SEED, '2026-11-23')).toEqual({
      complaintId: 7,
      poolSize: 4,
      drawnIndex: 1,
      poolHash: sha256('4,7,30,1000'),
      poolIds: [4, 7, 30, 1000],
    });
    // The whole 256-bit value is used, not only its low bits: a modulus far above 2^32 still matches Python.
    expect(drawIndex(VECTOR_SEED, '2026-11-23', sha256('4,7,30,1000'), 1_000_003)).toBe(748_502);
    const mac = createHmac('sha256', Buffer.from(VECTOR_SEED, 'hex'))
      .update(`2026-11-23:${sha256('4,7,30,1000')}`)
      .digest('hex');
    expect(drawIndex(VECTOR_SEED, '2026-11-23', sha256('4,7,30,1000'), 97)).toBe(Number(BigInt(`0x${mac}`) % 97n));
  });

  it('is reproducible, and changes with the date, the pool and the seed', () => {
    const pool = Array.from({ length: 50 }, (_, i) => i + 1);
    const base = drawFromPool(pool, seedNo(1), '2026-11-23').drawnIndex;
    expect(drawFromPool(pool, seedNo(1), '2026-11-23').drawnIndex).toBe(base);
    const byDate = new Set(
      ['24', '25', '26', '27', '28'].map((d) => drawFromPool(pool, seedNo(1), `2026-11-${d}`).drawnIndex),
    );
    const bySeed = new Set([2, 3, 4, 5, 6].map((i) => drawFromPool(pool, seedNo(i), '2026-11-23').drawnIndex));
    const byPool = new Set(
      [51, 52, 53, 54, 55].map((extra) => drawFromPool([...pool, extra], seedNo(1), '2026-11-23').drawnIndex),
    );
    for (const indexes of [byDate, bySeed, byPool]) expect(indexes.size).toBeGreaterThan(1);
  });

  it('does not reorder the caller’s array', () => {
    const ids = [3, 1, 2];
    drawFromPool(ids, seedNo(0), '2026-11-23');
    expect(ids).toEqual([3, 1, 2]);
  });

  it('returns no complaint for an empty pool, with the hash of the empty string', () => {
    expect(drawFromPool([], seedNo(0), '2026-11-23')).toEqual({
      complaintId: null,
      poolSize: 0,
      drawnIndex: null,
      poolHash: sha256(''),
      poolIds: [],
    });
    expect(() => drawIndex(seedNo(0), '2026-11-23', sha256(''), 0)).toThrow(RangeError);
  });

  // 9 degrees of freedom: 27.88 is the 0.999 critical value; 6 degrees: 22.46.
  it.each([
    [10, 27.88],
    [7, 22.46],
  ])('is uniform: chi-square over 20,000 deterministic seeds for a pool of %i stays below %p', (size, critical) => {
    const ids = Array.from({ length: size }, (_, i) => 100 + i * 3);
    const counts = new Array<number>(size).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const { drawnIndex } = drawFromPool(ids, seedNo(i), '2026-11-23');
      if (drawnIndex === null) throw new Error('drew nothing from a full pool');
      counts[drawnIndex] = (counts[drawnIndex] ?? 0) + 1;
    }
    expect(chiSquare(counts, 20_000)).toBeLessThan(critical);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('is uniform across the days of one seed too: 20,000 dates, one seed', () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    const counts = new Array<number>(10).fill(0);
    const start = Date.UTC(2026, 0, 1);
    for (let day = 0; day < 20_000; day++) {
      const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
      const index = drawFromPool(ids, seedNo(42), date).drawnIndex ?? -1;
      counts[index] = (counts[index] ?? 0) + 1;
    }
    expect(chiSquare(counts, 20_000)).toBeLessThan(27.88);
  });

  it('the chi-square check would catch a biased draw: 4 random bits mod 10 (a short value’s modulo bias)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const nibble = Number.parseInt(seedNo(i).slice(0, 1), 16);
      counts[nibble % 10] = (counts[nibble % 10] ?? 0) + 1;
    }
    expect(chiSquare(counts, 20_000)).toBeGreaterThan(27.88);
  });
});

describe('verifyStoredDraw', () => {
  const TZ = 'America/New_York';
  const WEEK = '2026-11-16';
  const DATE = '2026-11-18';
  const SEED: StoredSeed = { weekStart: WEEK, seed: seedNo(7), commitment: commitTo(seedNo(7)) };
  const AFTER_WEEK = new Date('2026-11-23T05:00:00Z');
  const DURING_WEEK = new Date('2026-11-23T04:59:59Z');

  /** A draw exactly as runDailyPick stores it. */
  function storedDraw(ids: number[] = [5, 9, 12, 40, 41]): StoredDraw {
    const draw = drawFromPool(ids, SEED.seed, DATE);
    return {
      date: DATE,
      complaintId: draw.complaintId,
      poolSize: draw.poolSize,
      drawnIndex: draw.drawnIndex,
      poolHash: draw.poolHash,
      poolIds: draw.poolIds,
      seedWeek: WEEK,
      seedCommitment: SEED.commitment,
      drawnAt: new Date('2026-11-18T15:00:00Z'),
    };
  }
  const problemsOf = (draw: StoredDraw, seed: StoredSeed | null = SEED, now = AFTER_WEEK) => {
    const result = verifyStoredDraw(draw, seed ?? undefined, now, TZ);
    return result.status === 'failed' ? result.problems : result.status;
  };

  it('a draw as stored checks out once its week is over, and gives back its index', () => {
    const draw = storedDraw();
    expect(verifyStoredDraw(draw, SEED, AFTER_WEEK, TZ)).toEqual({
      status: 'verified',
      draw,
      seed: SEED,
      poolIds: [5, 9, 12, 40, 41],
      index: draw.drawnIndex,
    });
  });

  it('an empty pool checks out with nothing drawn', () => {
    expect(verifyStoredDraw(storedDraw([]), SEED, AFTER_WEEK, TZ)).toMatchObject({ status: 'verified', index: null });
  });

  it('says the seed is not revealed yet while its week runs, without using it', () => {
    expect(verifyStoredDraw(storedDraw(), SEED, DURING_WEEK, TZ)).toMatchObject({
      status: 'unrevealed',
      seedWeek: WEEK,
      revealsAt: AFTER_WEEK,
    });
    // Even a wrong seed gives 'unrevealed': the secret is not looked at before the week is over.
    expect(problemsOf(storedDraw(), { ...SEED, seed: seedNo(8) }, DURING_WEEK)).toBe('unrevealed');
  });

  it('a pick from before verifiable draws predates them', () => {
    const old = { ...storedDraw(), poolIds: null, seedWeek: null, seedCommitment: null };
    expect(verifyStoredDraw(old, undefined, AFTER_WEEK, TZ)).toEqual({ status: 'predates', draw: old });
  });

  /** The pool with one id that was not drawn replaced by another, same size, so only the hash can tell. */
  function swapUndrawn(draw: StoredDraw): StoredDraw {
    const ids = [...(draw.poolIds ?? [])];
    const at = draw.drawnIndex === 0 ? 1 : 0;
    ids[at] = (ids[at] ?? 0) + 1;
    return { ...draw, poolIds: ids };
  }

  it('a tampered pool fails: an id swapped, added or duplicated', () => {
    const draw = storedDraw();
    const swapped = swapUndrawn(draw);
    expect(problemsOf(swapped)).toEqual([expect.stringMatching(/pool ids hash to [0-9a-f]{64}, not to the pool hash/)]);
    const added = { ...draw, poolIds: [...(draw.poolIds ?? []), 99] };
    expect(problemsOf(added)).toEqual(
      expect.arrayContaining([expect.stringMatching(/stored pool has 6 ids but the pick records 5 eligible/)]),
    );
    const duplicated = { ...draw, poolIds: [5, 9, 12, 40, 40] };
    expect(problemsOf(duplicated)).toEqual(expect.arrayContaining(['the stored pool lists an id more than once']));
  });

  it('a tampered pool fails before the reveal too: that check needs no secret', () => {
    const swapped = swapUndrawn(storedDraw());
    expect(problemsOf(swapped, SEED, DURING_WEEK)).toEqual([expect.stringMatching(/pool ids hash to/)]);
  });

  it('a tampered index fails: moved with its complaint, the seed gives another; moved alone, the pick does not match', () => {
    const draw = storedDraw();
    const other = ((draw.drawnIndex ?? 0) + 1) % 5;
    const moved = { ...draw, drawnIndex: other, complaintId: draw.poolIds?.[other] ?? null };
    expect(problemsOf(moved)).toEqual([
      `the seed, the date and the pool give index ${draw.drawnIndex}, not the recorded ${other}`,
    ]);
    expect(problemsOf({ ...draw, drawnIndex: other })).toEqual(
      expect.arrayContaining([expect.stringMatching(/recorded complaint \d+ is not the one at index/)]),
    );
    expect(problemsOf({ ...draw, drawnIndex: 5 })).toEqual(
      expect.arrayContaining(['the recorded index 5 is not a position in a pool of 5']),
    );
  });

  it('a tampered complaint fails: it is not the one at the drawn index', () => {
    const draw = storedDraw();
    expect(problemsOf({ ...draw, complaintId: 777 })).toEqual([
      expect.stringMatching(/recorded complaint 777 is not the one at index/),
    ]);
  });

  it('a tampered seed fails: it no longer matches the commitment published with the pick', () => {
    const draw = storedDraw();
    expect(problemsOf(draw, { ...SEED, seed: seedNo(8) })).toEqual([
      'the stored seed does not match the commitment published with the pick',
    ]);
    // Swapping both seed and commitment in the seeds table still differs from what the pick post published.
    expect(problemsOf(draw, { ...SEED, seed: seedNo(8), commitment: commitTo(seedNo(8)) })).toEqual(
      expect.arrayContaining([expect.stringMatching(/stored commitment .* differs from the one published/)]),
    );
    expect(problemsOf(draw, null)).toEqual([`the seed of the week of ${WEEK} is missing`]);
  });

  it('a seed that was already revealed when the draw was made fails', () => {
    expect(problemsOf({ ...storedDraw(), drawnAt: AFTER_WEEK })).toEqual([
      `the draw was made after its seed (week of ${WEEK}) could be revealed`,
    ]);
  });
});
