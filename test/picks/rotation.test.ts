import { countRecentClaims, findAwayExecutives } from '../../src/picks/pick.repository';
import { chooseSuggestedExecutive } from '../../src/picks/rotation';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const noRandom = (): number => {
  throw new Error('random must not be needed when one executive has the fewest claims');
};

describe('chooseSuggestedExecutive (pure)', () => {
  it('suggests the executive with the fewest recent claims', () => {
    const candidates = [
      { userId: 'UA', recentClaims: 3 },
      { userId: 'UB', recentClaims: 1 },
      { userId: 'UC', recentClaims: 2 },
    ];
    expect(chooseSuggestedExecutive(candidates, noRandom)).toBe('UB');
  });

  it('breaks ties with the random source, among the tied executives only (sorted by user id)', () => {
    const candidates = [
      { userId: 'UC', recentClaims: 0 },
      { userId: 'UZ', recentClaims: 5 },
      { userId: 'UA', recentClaims: 0 },
      { userId: 'UB', recentClaims: 0 },
    ];
    const asked: number[] = [];
    const at = (index: number) => (n: number) => {
      asked.push(n);
      return index;
    };
    expect(chooseSuggestedExecutive(candidates, at(0))).toBe('UA');
    expect(chooseSuggestedExecutive(candidates, at(1))).toBe('UB');
    expect(chooseSuggestedExecutive(candidates, at(2))).toBe('UC');
    expect(asked).toEqual([3, 3, 3]);
  });

  it('gives every tied executive a turn with the real random source', () => {
    const candidates = ['U1', 'U2', 'U3'].map((userId) => ({ userId, recentClaims: 0 }));
    const chosen = new Set<string | null>();
    for (let i = 0; i < 300; i++) chosen.add(chooseSuggestedExecutive(candidates));
    expect(chosen).toEqual(new Set(['U1', 'U2', 'U3']));
  });

  it('returns null when nobody is available', () => {
    expect(chooseSuggestedExecutive([], noRandom)).toBeNull();
  });
});

describe('rotation queries', () => {
  let db: TestDb;
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

  beforeAll(async () => {
    db = await createTestDb();
    const claim = async (userId: string, claimedAt: Date, status: 'open' | 'released' | 'closed') => {
      const complaintId = await insertComplaint(db.db);
      await db.db
        .insertInto('claims')
        .values({ complaint_id: complaintId, claimed_by: userId, status, claimed_at: claimedAt })
        .execute();
    };
    // UA: three recent claims of every status; UB: one recent and one too old; UC: none.
    await claim('UA', daysAgo(1), 'open');
    await claim('UA', daysAgo(5), 'released');
    await claim('UA', daysAgo(29), 'closed');
    await claim('UB', daysAgo(2), 'closed');
    await claim('UB', daysAgo(31), 'closed');
    await claim('UOTHER', daysAgo(1), 'open');

    await db.db
      .insertInto('executive_away')
      .values([
        { user_id: 'UA', start_date: '2026-12-01', end_date: '2026-12-05' },
        { user_id: 'UB', start_date: '2026-12-05', end_date: '2026-12-05' },
        { user_id: 'UB', start_date: '2026-12-03', end_date: '2026-12-10' },
      ])
      .execute();
  });
  afterAll(() => db.close());

  it('counts claims of any status since the given instant, with 0 for executives without any', async () => {
    const counts = await countRecentClaims(db.db, ['UA', 'UB', 'UC'], daysAgo(30));
    expect(counts).toEqual(
      new Map([
        ['UA', 3],
        ['UB', 1],
        ['UC', 0],
      ]),
    );
  });

  it('counts nothing for nobody', async () => {
    expect(await countRecentClaims(db.db, [], daysAgo(30))).toEqual(new Map());
  });

  it.each<[string, string[]]>([
    ['2026-11-30', []],
    ['2026-12-01', ['UA']],
    ['2026-12-03', ['UA', 'UB']],
    ['2026-12-05', ['UA', 'UB']],
    ['2026-12-06', ['UB']],
    ['2026-12-10', ['UB']],
    ['2026-12-11', []],
  ])('on %s the executives away are %j (both ends of a period count)', async (date, away) => {
    expect(await findAwayExecutives(db.db, date)).toEqual(new Set(away));
  });

  it.each<[string, string | null]>([
    ['2026-11-30', 'UB'],
    ['2026-12-01', 'UB'],
    ['2026-12-06', 'UA'],
    ['2026-12-03', null],
  ])('together, on %s between UA (3 claims) and UB (1 claim) the suggestion is %p', async (date, expected) => {
    const away = await findAwayExecutives(db.db, date);
    const available = ['UA', 'UB'].filter((u) => !away.has(u));
    const counts = await countRecentClaims(db.db, available, daysAgo(30));
    const candidates = available.map((userId) => ({ userId, recentClaims: counts.get(userId) ?? 0 }));
    expect(chooseSuggestedExecutive(candidates, noRandom)).toBe(expected);
  });
});
