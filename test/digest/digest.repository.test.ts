import type { Metrics } from '../../src/digest/digest';
import {
  checkFixes,
  computeMetrics,
  countActions,
  countFunnel,
  countThemes,
  countTrend,
  findQuietExecutives,
  findShareableQuote,
  listExecutiveActivity,
  listNewAdvocates,
  listShareableLearnings,
  listUnclaimedPicks,
  type MetricsWindow,
} from '../../src/digest/digest.repository';
import { weekBounds } from '../../src/digest/digest.service';
import { addDays } from '../../src/shared/time';
import { createTestDb, type TestDb } from '../helpers/test-db';
import {
  resetDigestTables,
  SEED_EXECS,
  SEED_SECRETS,
  SEED_THEMES,
  SEED_WEEK,
  seedAttempt,
  seedClaim,
  seedComplaint,
  seedKnownActions,
  seedKnownWeek,
} from './seed';

const TZ = 'America/New_York';
const NOW = new Date('2026-11-23T14:00:00Z');
const EXECUTIVES = [SEED_EXECS.one, SEED_EXECS.two, SEED_EXECS.never];

/** The zone-aware 4-week trend the digest asks for, ending with the week of `monday`. */
function trendFor(monday: string) {
  return [3, 2, 1, 0].map((i) => {
    const start = addDays(monday, -7 * i);
    const { from, to } = weekBounds(start, TZ);
    return { start: from, end: to, label: start };
  });
}

function windowOfWeek(monday: string, executives: readonly string[] = EXECUTIVES): MetricsWindow {
  const { from, to } = weekBounds(monday, TZ);
  return { from, to, now: NOW, executives, trend: trendFor(monday), timezone: TZ, themes: SEED_THEMES };
}

function metricsForWeek(db: TestDb, monday: string, executives: readonly string[] = EXECUTIVES): Promise<Metrics> {
  return computeMetrics(db.db, windowOfWeek(monday, executives));
}

/** Each figure's own function, which computeMetrics composes. */
const FIGURES = {
  countFunnel,
  listExecutiveActivity,
  findQuietExecutives,
  listUnclaimedPicks,
  listNewAdvocates,
  findShareableQuote,
  listShareableLearnings,
  countActions,
  countThemes,
  checkFixes,
  countTrend,
};

describe('computeMetrics', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  describe('on a seeded week with known answers', () => {
    let m: Metrics;
    let ids: Awaited<ReturnType<typeof seedKnownWeek>>;
    let actions: Awaited<ReturnType<typeof seedKnownActions>>;
    beforeAll(async () => {
      await resetDigestTables(db.db);
      ids = await seedKnownWeek(db.db);
      actions = await seedKnownActions(db.db, ids);
      m = await metricsForWeek(db, SEED_WEEK);
    });

    it('reports the window it measured, midnight to midnight in New York', () => {
      expect(m.from).toBe('2026-11-16T05:00:00.000Z');
      expect(m.to).toBe('2026-11-23T05:00:00.000Z');
    });

    it('counts every stage of the funnel', () => {
      expect(m.funnel).toEqual({
        received: 4,
        escalated: 1,
        picked: 4,
        claimed: 3,
        firstAttempt: 2,
        reached: 3,
        advocates: 1,
      });
    });

    it('takes the medians over the events in the window only', () => {
      expect(m.medians.pickToClaimHours).toBeCloseTo(2, 6);
      expect(m.medians.claimToAttemptHours).toBeCloseTo(13, 6);
    });

    it("counts each executive's claims, attempts, reached and advocates, busiest first", () => {
      expect(m.executives).toEqual([
        { userId: SEED_EXECS.one, claims: 2, attempts: 4, reached: 3, advocates: 1 },
        { userId: SEED_EXECS.two, claims: 2, attempts: 0, reached: 0, advocates: 0 },
        { userId: SEED_EXECS.never, claims: 0, attempts: 0, reached: 0, advocates: 0 },
      ]);
    });

    it('names the executives with no call in the 30 days before the week ended', () => {
      expect(m.quiet).toEqual([SEED_EXECS.two, SEED_EXECS.never]);
    });

    it('lists the unclaimed picks (never claimed, or released) without contact details, even in URLs', () => {
      expect(m.unclaimedTotal).toBe(2);
      expect(m.unclaimed).toEqual([
        {
          date: '2026-11-18',
          complaintId: ids.c3,
          subject: 'Export broken <!channel> write to [email]',
          ticketUrl: 'https://help.example.com/tickets/12345678',
        },
        {
          date: '2026-11-19',
          complaintId: ids.c8,
          subject: 'Released and waiting',
          // Its URL carries the requester's email, which is redacted like any text.
          ticketUrl: 'https://help.example.com/search?requester=[email]',
        },
      ]);
    });

    it('lists the new advocates with every kind of evidence', () => {
      expect(m.newAdvocates).toEqual([
        {
          complaintId: ids.c1,
          company: 'Analytical Engines',
          subject: 'Invoices doubled',
          kinds: ['executive_assessment', 'referral'],
        },
      ]);
    });

    it('quotes the latest shareable note, without name, company, phone or email', () => {
      expect(m.quote).toEqual({
        text: 'the customer said the fix saved her team at their company; call her at [phone] or [email].',
        executive: SEED_EXECS.one,
        at: '2026-11-18T14:00:00.000Z',
      });
      const json = JSON.stringify(m);
      for (const secret of Object.values(SEED_SECRETS)) expect(json).not.toContain(secret);
      expect(json).not.toContain('Lovelace');
    });

    it('lists what we learned: every shareable note of the week, newest first, the quote among them', () => {
      expect(m.learnings).toEqual([m.quote]);
      expect(m.learningsTotal).toBe(1);
    });

    it('counts actions opened, done and overdue in the week, with their owners, and no contact details', () => {
      const ids = (lines: { id: number }[]) => lines.map((l) => l.id);
      expect(ids(m.actions.opened.items)).toEqual([actions.a5, actions.a1, actions.a4, actions.a3]);
      expect(m.actions.opened.total).toBe(4);
      expect(m.actions.done).toEqual({
        items: [
          expect.objectContaining({ id: actions.a2, owner: SEED_EXECS.two, closedAt: '2026-11-19T12:00:00.000Z' }),
        ],
        total: 1,
      });
      expect(m.actions.overdue).toEqual({
        items: [expect.objectContaining({ id: actions.a1, owner: SEED_EXECS.one, dueDate: '2026-11-20' })],
        total: 1,
      });
      expect(m.actions.overdue.items[0]?.description).toBe(
        'Refund double invoices at once; confirm with Ada on [phone] or [email]',
      );
    });

    it('counts the top themes over 90 days, through the complaints’ actions, in the configured spelling', () => {
      expect(m.themeDays).toBe(90);
      expect(m.themes).toEqual([
        { theme: 'billing', complaints: 3 },
        { theme: 'delivery', complaints: 1 },
        { theme: 'support process', complaints: 1 },
      ]);
    });

    it('says beside each recently done action how many new major complaints carry its theme since', () => {
      expect(m.fixChecks).toEqual([{ action: expect.objectContaining({ id: actions.a2 }), newComplaints: 1 }]);
    });

    it('gives the 4-week trend ending with the week', () => {
      expect(m.trend).toEqual([
        { label: '2026-10-26', picked: 0, reached: 0, advocates: 0 },
        { label: '2026-11-02', picked: 1, reached: 0, advocates: 0 },
        { label: '2026-11-09', picked: 0, reached: 0, advocates: 1 },
        { label: '2026-11-16', picked: 4, reached: 3, advocates: 1 },
      ]);
    });

    it('by default buckets the trend in 7-day steps ending at `to`', async () => {
      const { from, to } = weekBounds(SEED_WEEK, TZ);
      const plain = await computeMetrics(db.db, { from, to, now: NOW, executives: [] });
      expect(plain.trend.map((t) => t.label)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16']);
      expect(plain.trend[3]).toEqual({ label: '2026-11-16', picked: 4, reached: 3, advocates: 1 });
      expect(plain.quiet).toEqual([]);
      // Executives outside the configured list who acted still show up.
      expect(plain.executives.map((e) => e.userId)).toEqual([SEED_EXECS.one, SEED_EXECS.two]);
    });

    it('answers each figure alone as computeMetrics composes it', async () => {
      const window = windowOfWeek(SEED_WEEK);
      expect(await countFunnel(db.db, window)).toEqual({ funnel: m.funnel, medians: m.medians });
      expect(await listExecutiveActivity(db.db, window)).toEqual(m.executives);
      expect(await findQuietExecutives(db.db, window)).toEqual(m.quiet);
      expect(await listUnclaimedPicks(db.db, window)).toEqual({ unclaimed: m.unclaimed, unclaimedTotal: 2 });
      expect(await listNewAdvocates(db.db, window)).toEqual(m.newAdvocates);
      expect(await findShareableQuote(db.db, window)).toEqual(m.quote);
      expect(await listShareableLearnings(db.db, window)).toEqual({
        learnings: m.learnings,
        learningsTotal: m.learningsTotal,
      });
      expect(await countActions(db.db, window)).toEqual(m.actions);
      expect(await countThemes(db.db, window)).toEqual({ themes: m.themes, themeDays: 90 });
      expect(await checkFixes(db.db, window)).toEqual(m.fixChecks);
      expect(await countTrend(db.db, window)).toEqual(m.trend);
    });

    it('counts a pick as claimed once someone holds it at `now`', async () => {
      const { from, to } = weekBounds(SEED_WEEK, TZ);
      // Before c8's claim was released, it was held.
      const earlier = await computeMetrics(db.db, {
        from,
        to,
        now: new Date('2026-11-19T16:30:00Z'),
        executives: [],
      });
      expect(earlier.unclaimed.map((p) => p.complaintId)).toEqual([ids.c3]);
    });
  });

  describe('what we learned', () => {
    beforeAll(() => resetDigestTables(db.db));

    it('lists every shareable note of the window newest first, each made fit to share, counting them all', async () => {
      const c = await seedComplaint(db.db, '2026-11-16T14:00:00Z', {
        customer: { name: 'Grace Hopper', company: 'Navy Labs', email: 'grace@navy.example', phone: '+14155550188' },
      });
      const claim = {
        id: await seedClaim(db.db, c, SEED_EXECS.one, '2026-11-16T15:00:00Z'),
        complaintId: c,
        executive: SEED_EXECS.one,
      };
      const share = (notes: string) => ({ notes, okToQuote: true });
      await seedAttempt(db.db, claim, 'voicemail', '2026-11-17T10:00:00Z', share('Left a message for Grace.'));
      await seedAttempt(
        db.db,
        claim,
        'reached',
        '2026-11-18T10:00:00Z',
        share('Navy Labs wants grace@navy.example kept.'),
      );
      await seedAttempt(db.db, claim, 'reached', '2026-11-19T10:00:00Z', { notes: 'Private.', okToQuote: false });
      await seedAttempt(db.db, claim, 'reached', '2026-11-20T10:00:00Z', share('   '));

      const window = windowOfWeek(SEED_WEEK);
      expect(await listShareableLearnings(db.db, window)).toEqual({
        learnings: [
          { text: 'their company wants [email] kept.', executive: SEED_EXECS.one, at: '2026-11-18T10:00:00.000Z' },
          { text: 'Left a message for the customer.', executive: SEED_EXECS.one, at: '2026-11-17T10:00:00.000Z' },
        ],
        learningsTotal: 2,
      });
      expect(await listShareableLearnings(db.db, window, 1)).toMatchObject({
        learnings: [{ at: '2026-11-18T10:00:00.000Z' }],
        learningsTotal: 2,
      });
    });
  });

  describe('week boundaries follow TIMEZONE', () => {
    let ids: { sundayLate: number; mondayEarly: number; sundayBefore: number };
    beforeAll(async () => {
      await resetDigestTables(db.db);
      ids = {
        // 23:30 Sunday Nov 22 in New York is 04:30 UTC on Monday.
        sundayLate: await seedComplaint(db.db, '2026-11-23T04:30:00Z'),
        // 00:30 Monday Nov 23 in New York.
        mondayEarly: await seedComplaint(db.db, '2026-11-23T05:30:00Z'),
        // 23:30 Sunday Nov 15 in New York.
        sundayBefore: await seedComplaint(db.db, '2026-11-16T04:30:00Z'),
      };
    });

    it('puts 23:30 Sunday local in the week that ends, and 00:30 Monday local in the next', async () => {
      expect((await metricsForWeek(db, '2026-11-16')).funnel.received).toBe(1);
      expect((await metricsForWeek(db, '2026-11-23')).funnel.received).toBe(1);
      expect((await metricsForWeek(db, '2026-11-09')).funnel.received).toBe(1);
      expect(ids.sundayLate).not.toBe(ids.mondayEarly);
    });

    it('would split them differently in UTC', async () => {
      const from = new Date('2026-11-16T00:00:00Z');
      const to = new Date('2026-11-23T00:00:00Z');
      const utc = await computeMetrics(db.db, { from, to, now: NOW, executives: [] });
      // In UTC the "Sunday before" complaint (04:30 UTC Monday) is inside and the late Sunday one is not.
      expect(utc.funnel.received).toBe(1);
      const { from: nyFrom } = weekBounds('2026-11-16', TZ);
      expect(nyFrom.toISOString()).toBe('2026-11-16T05:00:00.000Z');
    });

    it('spans a DST change as 7 local days (Nov 1, 2026 in New York)', () => {
      const { from, to } = weekBounds('2026-10-26', TZ);
      expect(from.toISOString()).toBe('2026-10-26T04:00:00.000Z');
      expect(to.toISOString()).toBe('2026-11-02T05:00:00.000Z');
    });
  });

  describe('on an empty week', () => {
    beforeAll(() => resetDigestTables(db.db));

    it('answers zeros, no medians, nothing listed, and everyone quiet', async () => {
      const m = await metricsForWeek(db, SEED_WEEK);
      expect(m).toEqual({
        from: '2026-11-16T05:00:00.000Z',
        to: '2026-11-23T05:00:00.000Z',
        funnel: { received: 0, escalated: 0, picked: 0, claimed: 0, firstAttempt: 0, reached: 0, advocates: 0 },
        medians: { pickToClaimHours: null, claimToAttemptHours: null },
        executives: EXECUTIVES.map((userId) => ({ userId, claims: 0, attempts: 0, reached: 0, advocates: 0 })).sort(
          (a, b) => a.userId.localeCompare(b.userId),
        ),
        quiet: EXECUTIVES,
        unclaimed: [],
        unclaimedTotal: 0,
        newAdvocates: [],
        quote: null,
        learnings: [],
        learningsTotal: 0,
        actions: {
          opened: { items: [], total: 0 },
          done: { items: [], total: 0 },
          overdue: { items: [], total: 0 },
        },
        themes: [],
        themeDays: 90,
        fixChecks: [],
        trend: ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16'].map((label) => ({
          label,
          picked: 0,
          reached: 0,
          advocates: 0,
        })),
      });
    });

    it('refuses a window that ends before it starts, in every figure', async () => {
      const at = new Date('2026-11-16T00:00:00Z');
      const empty = { from: at, to: at, now: NOW, executives: [] };
      for (const figure of [computeMetrics, ...Object.values(FIGURES)]) {
        await expect(figure(db.db, empty)).rejects.toThrow(/must end after it starts/);
      }
    });
  });
});
