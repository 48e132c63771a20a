import { createHash } from 'node:crypto';
import { cryptoRandomIndex, drawFromPool } from '../../src/picks/pick';

/** A tiny seeded PRNG (mulberry32), so the uniformity test is deterministic and cannot flake. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seededIndex = (seed: number) => {
  const next = mulberry32(seed);
  return (n: number) => Math.floor(next() * n);
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('drawFromPool', () => {
  it('hashes the ids sorted ascending and joined by commas, whatever order they came in', () => {
    const a = drawFromPool([30, 4, 1000, 7], () => 0);
    const b = drawFromPool([7, 1000, 30, 4], () => 0);
    expect(a.poolHash).toBe(sha256('4,7,30,1000'));
    expect(b.poolHash).toBe(a.poolHash);
    expect(a.poolHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('draws by index into the sorted pool, so the audit can replay it', () => {
    expect(drawFromPool([30, 4, 1000, 7], () => 2)).toEqual({
      complaintId: 30,
      poolSize: 4,
      drawnIndex: 2,
      poolHash: sha256('4,7,30,1000'),
    });
  });

  it('asks the random source for an index below the pool size', () => {
    const asked: number[] = [];
    drawFromPool([5, 6, 7], (n) => {
      asked.push(n);
      return n - 1;
    });
    expect(asked).toEqual([3]);
  });

  it('does not reorder the caller’s array', () => {
    const ids = [3, 1, 2];
    drawFromPool(ids, () => 0);
    expect(ids).toEqual([3, 1, 2]);
  });

  it('returns no complaint for an empty pool, with the hash of the empty string', () => {
    const random = jest.fn(() => 0);
    expect(drawFromPool([], random)).toEqual({
      complaintId: null,
      poolSize: 0,
      drawnIndex: null,
      poolHash: sha256(''),
    });
    expect(random).not.toHaveBeenCalled();
  });

  it.each([-1, 3, 1.5, Number.NaN])('refuses a random source that returns %p for a pool of 3', (bad) => {
    expect(() => drawFromPool([1, 2, 3], () => bad)).toThrow(RangeError);
  });

  it('is uniform: chi-square over 20,000 seeded draws from 10 ids stays below the 0.999 critical value', () => {
    const ids = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    const draws = 20_000;
    const random = seededIndex(20261123);
    const counts = new Map<number, number>(ids.map((id) => [id, 0]));
    for (let i = 0; i < draws; i++) {
      const { complaintId } = drawFromPool(ids, random);
      if (complaintId === null) throw new Error('drew nothing from a full pool');
      counts.set(complaintId, (counts.get(complaintId) ?? 0) + 1);
    }
    const expected = draws / ids.length;
    const chiSquare = [...counts.values()].reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // 9 degrees of freedom, p = 0.999.
    expect(chiSquare).toBeLessThan(27.88);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(ids);
  });

  it('the chi-square check would catch a biased draw', () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const next = seededIndex(1);
    // Index 0 twice as likely as it should be: the kind of bug a modulo or off-by-one introduces.
    const biased = (n: number) => (next(n + 1) === n ? 0 : next(n));
    const counts = new Array<number>(ids.length).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const { drawnIndex } = drawFromPool(ids, biased);
      if (drawnIndex === null) throw new Error('drew nothing');
      counts[drawnIndex] = (counts[drawnIndex] ?? 0) + 1;
    }
    const chiSquare = counts.reduce((sum, observed) => sum + (observed - 2_000) ** 2 / 2_000, 0);
    expect(chiSquare).toBeGreaterThan(27.88);
  });

  it('draws every id at least once over 2,000 draws with the real crypto source', () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const seen = new Set<number | null>();
    for (let i = 0; i < 2_000; i++) seen.add(drawFromPool(ids).complaintId);
    expect(seen).toEqual(new Set(ids));
  });

  it('cryptoRandomIndex stays within [0, n)', () => {
    for (let i = 0; i < 1_000; i++) {
      const index = cryptoRandomIndex(7);
      expect(Number.isInteger(index) && index >= 0 && index < 7).toBe(true);
    }
    expect(cryptoRandomIndex(1)).toBe(0);
  });
});
