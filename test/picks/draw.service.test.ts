import { sql } from 'kysely';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { commitTo, drawFromPool } from '../../src/picks/draw';
import { ensureWeekSeed, findPublishedSeeds, verifyDrawOfDate } from '../../src/picks/draw.service';
import { type DailyPickInput, runDailyPick } from '../../src/picks/pick.service';
import { EXEC_1, EXEC_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const DAY = 86_400_000;
const TZ = 'America/New_York';
/** Wednesday 10:00 in New York; its seed week starts Monday 2026-11-16 and is over at 2026-11-23T05:00Z. */
const NOW = new Date('2026-11-18T15:00:00Z');
const DATE = '2026-11-18';
const WEEK = '2026-11-16';
const WEEK_OVER = new Date('2026-11-23T05:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

const buildMessages = (): OutboxMessage[] => [{ operation: 'post', message: { channel: EXEC_CHANNEL, text: 'pick' } }];

const input = (overrides: Partial<DailyPickInput> = {}): DailyPickInput => ({
  date: DATE,
  now: NOW,
  timezone: TZ,
  executives: [EXEC_1],
  eligibleDays: 30,
  cooldownDays: 90,
  trigger: 'cli',
  actor: 'cli',
  buildMessages,
  ...overrides,
});

async function reset(db: TestDb): Promise<void> {
  await sql`TRUNCATE audit_log, outbox, executive_away, complaints, draw_seeds CASCADE`.execute(db.db);
}

async function seedRows(db: TestDb) {
  return db.db.selectFrom('draw_seeds').selectAll().orderBy('week_start').execute();
}

const verify = (db: TestDb, now: Date, date = DATE) => verifyDrawOfDate(db.db, { date, now, timezone: TZ });

describe('commit-reveal draws on the database', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  beforeEach(() => reset(db));
  afterAll(() => db.close());

  it('stores the week seed before the draw and the pool ids with the pick; the draw checks out once the week is over', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await insertComplaint(db.db, { receivedAt: daysAgo(i + 1) }));
    const result = await runDailyPick(db.db, input());

    const [seed, ...others] = await seedRows(db);
    expect(others).toEqual([]);
    expect(seed).toMatchObject({ week_start: WEEK, commitment: commitTo(seed?.seed ?? '') });
    const expected = drawFromPool(ids, seed?.seed ?? '', DATE);
    const pick = await db.db.selectFrom('picks').selectAll().executeTakeFirstOrThrow();
    expect(pick).toMatchObject({
      pool_ids: [...ids].sort((a, b) => a - b),
      seed_week: WEEK,
      seed_commitment: seed?.commitment,
      drawn_index: expected.drawnIndex,
      complaint_id: expected.complaintId,
    });
    expect(result.pick.complaintId).toBe(expected.complaintId);

    expect(await verify(db, new Date(WEEK_OVER.getTime() - 1))).toMatchObject({ status: 'unrevealed', seedWeek: WEEK });
    expect(await verify(db, WEEK_OVER)).toMatchObject({ status: 'verified', index: expected.drawnIndex });
  });

  it('one seed per week: every pick of the week uses it, the next week gets a new one', async () => {
    for (let i = 0; i < 4; i++) await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    await runDailyPick(db.db, input());
    await runDailyPick(db.db, input({ date: '2026-11-19', now: new Date(NOW.getTime() + DAY) }));
    await runDailyPick(db.db, input({ date: '2026-11-23', now: new Date(NOW.getTime() + 5 * DAY) }));
    const picks = await db.db.selectFrom('picks').select(['pick_date', 'seed_week']).orderBy('pick_date').execute();
    expect(picks).toEqual([
      { pick_date: '2026-11-18', seed_week: WEEK },
      { pick_date: '2026-11-19', seed_week: WEEK },
      { pick_date: '2026-11-23', seed_week: '2026-11-23' },
    ]);
    const seeds = await seedRows(db);
    expect(seeds.map((s) => s.week_start)).toEqual([WEEK, '2026-11-23']);
    expect(seeds[0]?.seed).not.toBe(seeds[1]?.seed);
  });

  it('a pick for a past date uses the seed of the week in progress, never one already revealed', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    await runDailyPick(db.db, input({ date: '2026-11-02' }));
    const pick = await db.db.selectFrom('picks').select(['pick_date', 'seed_week']).executeTakeFirstOrThrow();
    expect(pick).toEqual({ pick_date: '2026-11-02', seed_week: WEEK });
    expect(await verify(db, WEEK_OVER, '2026-11-02')).toMatchObject({ status: 'verified' });
  });

  it('an empty pool is a verifiable draw of nothing', async () => {
    await runDailyPick(db.db, input());
    expect(await verify(db, WEEK_OVER)).toMatchObject({ status: 'verified', index: null, poolIds: [] });
  });

  describe('tampering after the draw fails verification', () => {
    beforeEach(async () => {
      for (let i = 0; i < 5; i++) await insertComplaint(db.db, { receivedAt: daysAgo(1) });
      await runDailyPick(db.db, input());
    });
    const failed = async () => {
      const result = await verify(db, WEEK_OVER);
      expect(result.status).toBe('failed');
      return result.status === 'failed' ? result.problems.join('\n') : '';
    };

    it('the pool: an eligible complaint removed and another put in', async () => {
      const pick = await db.db.selectFrom('picks').selectAll().executeTakeFirstOrThrow();
      const extra = await insertComplaint(db.db, { receivedAt: daysAgo(1) });
      const pool = (pick.pool_ids ?? []).filter((id) => id !== pick.complaint_id).slice(1);
      await db.db
        .updateTable('picks')
        .set({ pool_ids: [...pool, pick.complaint_id ?? 0, extra] })
        .execute();
      expect(await failed()).toMatch(/the stored pool ids hash to [0-9a-f]{64}, not to the pool hash recorded/);
    });

    it('the index, moved with its complaint', async () => {
      const pick = await db.db.selectFrom('picks').selectAll().executeTakeFirstOrThrow();
      const other = ((pick.drawn_index ?? 0) + 1) % 5;
      await db.db
        .updateTable('picks')
        .set({ drawn_index: other, complaint_id: pick.pool_ids?.[other] ?? null })
        .execute();
      expect(await failed()).toBe(
        `the seed, the date and the pool give index ${pick.drawn_index}, not the recorded ${other}`,
      );
    });

    it('the seed, even with a matching commitment in the seeds table', async () => {
      const forged = 'ab'.repeat(32);
      await db.db.updateTable('draw_seeds').set({ seed: forged }).execute();
      expect(await failed()).toBe('the stored seed does not match the commitment published with the pick');
      await db.db
        .updateTable('draw_seeds')
        .set({ commitment: commitTo(forged) })
        .execute();
      expect(await failed()).toMatch(
        /stored commitment \([0-9a-f]{64}\) differs from the one published with this pick/,
      );
    });
  });

  it('says there is no pick for a date never drawn, and that a pick from before this change predates verification', async () => {
    expect(await verify(db, WEEK_OVER, '2026-11-20')).toEqual({ status: 'no_pick', date: '2026-11-20' });
    const id = await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    await db.db
      .insertInto('picks')
      .values({
        pick_date: '2026-11-10',
        complaint_id: id,
        pool_size: 1,
        drawn_index: 0,
        pool_hash: 'h',
        trigger: 'cli',
      })
      .execute();
    expect(await verify(db, WEEK_OVER, '2026-11-10')).toMatchObject({ status: 'predates' });
  });

  it('the database refuses a pool whose size is not the recorded one, and half-recorded draws', async () => {
    await ensureWeekSeed(db.db, WEEK, NOW);
    const [seed] = await seedRows(db);
    const base = { pick_date: '2026-11-10', pool_size: 0, pool_hash: 'h', trigger: 'cli' };
    await expect(
      db.db
        .insertInto('picks')
        .values({ ...base, pool_ids: [1], seed_week: WEEK, seed_commitment: seed?.commitment ?? '' })
        .execute(),
    ).rejects.toThrow(/picks_pool_ids_size/);
    await expect(
      db.db
        .insertInto('picks')
        .values({ ...base, pool_ids: [1, 2] })
        .execute(),
    ).rejects.toThrow(/picks_draw_recorded/);
  });

  it('ensureWeekSeed creates a week seed once and hands the stored one to every later caller', async () => {
    const first = await ensureWeekSeed(db.db, WEEK, NOW);
    const again = await ensureWeekSeed(db.db, WEEK, NOW);
    expect(again).toEqual(first);
    expect(first.commitment).toBe(commitTo(first.seed));
    await expect(ensureWeekSeed(db.db, '2026-11-17', NOW)).rejects.toThrow(/draw_seeds_week_start_check/);
  });

  describe('findPublishedSeeds (what the digest shows)', () => {
    /** Monday 09:00 in New York, when the digest of the week of Nov 16 goes out. */
    const MONDAY = new Date('2026-11-23T14:00:00Z');

    it('the usual Monday digest reveals the week just over and creates this week’s seed to commit to it', async () => {
      const past = await ensureWeekSeed(db.db, WEEK, NOW);
      const seeds = await findPublishedSeeds(db.db, { weekStart: WEEK, now: MONDAY, timezone: TZ, create: true });
      const [, current] = await seedRows(db);
      expect(seeds).toEqual({
        revealed: past,
        current: { weekStart: '2026-11-23', commitment: current?.commitment },
      });
      expect(current?.commitment).toBe(commitTo(current?.seed ?? ''));
    });

    it('a digest of the week in progress reveals the week before, never its own', async () => {
      const before = await ensureWeekSeed(db.db, '2026-11-09', NOW);
      const own = await ensureWeekSeed(db.db, WEEK, NOW);
      const seeds = await findPublishedSeeds(db.db, { weekStart: WEEK, now: NOW, timezone: TZ, create: true });
      expect(seeds).toEqual({ revealed: before, current: { weekStart: WEEK, commitment: own.commitment } });
    });

    it('a digest of a future week reveals nothing that is not over', async () => {
      await ensureWeekSeed(db.db, WEEK, NOW);
      const seeds = await findPublishedSeeds(db.db, { weekStart: '2026-11-23', now: NOW, timezone: TZ, create: true });
      expect(seeds.revealed).toBeNull();
    });

    it('a dry run creates nothing: no commitment to show when the week has no seed yet', async () => {
      const seeds = await findPublishedSeeds(db.db, { weekStart: WEEK, now: MONDAY, timezone: TZ, create: false });
      expect(seeds).toEqual({ revealed: null, current: null });
      expect(await seedRows(db)).toEqual([]);
    });
  });
});

describeOnPostgres(
  'seed creation and draws racing across instances (real PostgreSQL only: PGlite runs one transaction at a time)',
  () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 20 });
    });
    beforeEach(() => reset(db));
    afterAll(() => db.close());

    it('20 concurrent seed creations for one week store one seed and all hand back that one', async () => {
      // Open every connection first, so the twenty really run side by side instead of queueing for a connection.
      await Promise.all(Array.from({ length: 20 }, () => sql`SELECT pg_sleep(0.05)`.execute(db.db)));
      const seeds = await Promise.all(Array.from({ length: 20 }, () => ensureWeekSeed(db.db, WEEK, NOW)));
      const rows = await seedRows(db);
      expect(rows).toHaveLength(1);
      for (const s of seeds) expect(s.seed).toBe(rows[0]?.seed);
    });

    it('concurrent pick jobs and digests racing to create the week seed: one pick, one seed, and it verifies', async () => {
      for (let i = 0; i < 8; i++) await insertComplaint(db.db, { receivedAt: daysAgo(1) });
      const [picks, digests] = await Promise.all([
        Promise.all(Array.from({ length: 8 }, (_, i) => runDailyPick(db.db, input({ actor: `instance-${i}` })))),
        Promise.all(
          Array.from({ length: 8 }, () =>
            findPublishedSeeds(db.db, { weekStart: '2026-11-09', now: NOW, timezone: TZ, create: true }),
          ),
        ),
      ]);
      expect(picks.filter((r) => r.status === 'picked')).toHaveLength(1);
      expect(picks.filter((r) => r.status === 'already_picked')).toHaveLength(7);
      const rows = await seedRows(db);
      expect(rows).toHaveLength(1);
      const commitment = rows[0]?.commitment;
      for (const r of picks) expect(r.pick.seedCommitment).toBe(commitment);
      for (const d of digests) expect(d.current?.commitment).toBe(commitment);
      expect(await db.db.selectFrom('picks').select('id').execute()).toHaveLength(1);
      expect(await verify(db, WEEK_OVER)).toMatchObject({ status: 'verified' });
    });
  },
);
