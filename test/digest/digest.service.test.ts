import {
  type DigestInput,
  describeDigestResult,
  digestChartKey,
  digestMissed,
  digestPostKey,
  lastCompleteWeek,
  runDigest,
  runDigestJob,
  weekOf,
} from '../../src/digest/digest.service';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { ensureWeekSeed } from '../../src/picks/draw.service';
import { LEADERSHIP_CHANNEL, testConfig } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { resetDigestTables, SEED_EXECS, SEED_SECRETS, SEED_WEEK, seedKnownActions, seedKnownWeek } from './seed';

const TZ = 'America/New_York';
/** Monday 09:00 in New York, the default DIGEST_SCHEDULE, after the seeded week. */
const NOW = new Date('2026-11-23T14:00:00Z');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const input = (overrides: Partial<DigestInput> = {}): DigestInput => ({
  weekStart: SEED_WEEK,
  now: NOW,
  config: { timezone: TZ, leadershipChannel: LEADERSHIP_CHANNEL, actionThemes: [] },
  executives: [SEED_EXECS.one, SEED_EXECS.two, SEED_EXECS.never],
  dryRun: false,
  ...overrides,
});

async function outboxRows(db: TestDb) {
  const rows = await db.db.selectFrom('outbox').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    key: r.dedupe_key,
    operation: r.operation,
    dependsOn: r.depends_on,
    payload: r.payload as OutboxMessage,
  }));
}

async function digestRows(db: TestDb) {
  return db.db.selectFrom('digests').select(['week_start', 'partial', 'metrics']).orderBy('id').execute();
}

describe('weeks', () => {
  it('weekOf gives the Monday-to-Sunday week containing a date', () => {
    expect(weekOf('2026-11-16')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2026-11-19')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2026-11-22')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2026-01-01')).toEqual({ start: '2025-12-29', end: '2026-01-04' });
    expect(() => weekOf('2026-02-30')).toThrow(/not a real date/);
  });

  it('lastCompleteWeek depends on the date in TIMEZONE', () => {
    // 03:00 UTC Monday is still Sunday evening in New York: the week of Nov 16 is not over there yet.
    const at = new Date('2026-11-23T03:00:00Z');
    expect(lastCompleteWeek(at, 'UTC')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(lastCompleteWeek(at, TZ)).toEqual({ start: '2026-11-09', end: '2026-11-15' });
  });

  it('digestMissed is true once DIGEST_SCHEDULE has fired this week', () => {
    const config = { digestSchedule: '0 9 * * 1', timezone: TZ };
    expect(digestMissed(config, new Date('2026-11-23T13:59:00Z'))).toBe(false); // Monday 08:59 local
    expect(digestMissed(config, new Date('2026-11-23T14:00:00Z'))).toBe(true); // Monday 09:00 local
    expect(digestMissed(config, new Date('2026-11-27T20:00:00Z'))).toBe(true); // Friday
    expect(digestMissed(config, new Date('2026-11-30T04:59:00Z'))).toBe(true); // Sunday 23:59 local
    expect(digestMissed(config, new Date('2026-11-30T05:00:00Z'))).toBe(false); // a new week, before 09:00
    expect(digestMissed({ digestSchedule: '0 17 * * 5', timezone: TZ }, new Date('2026-11-25T12:00:00Z'))).toBe(false);
  });
});

describe('runDigest', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  let seeded: Awaited<ReturnType<typeof seedKnownWeek>>;
  beforeEach(async () => {
    await resetDigestTables(db.db);
    seeded = await seedKnownWeek(db.db);
  });
  afterAll(() => db.close());

  it('posts once: stores the week and queues the post with its chart in the thread', async () => {
    const result = await runDigest(db.db, input({ weekStart: '2026-11-19' }));
    expect(result.status).toBe('posted');
    expect(result.model).toMatchObject({ weekStart: '2026-11-16', weekEnd: '2026-11-22', partial: false, chart: true });
    expect(result.model.metrics.funnel.picked).toBe(4);

    const [stored, ...more] = await digestRows(db);
    expect(more).toHaveLength(0);
    expect(stored).toMatchObject({ week_start: '2026-11-16', partial: false });
    expect(stored?.metrics).toMatchObject({ funnel: { received: 4, advocates: 1 } });

    const rows = await outboxRows(db);
    expect(rows.map((r) => [r.key, r.operation, r.dependsOn])).toEqual([
      [digestPostKey('2026-11-16'), 'post', null],
      [digestChartKey('2026-11-16'), 'file', digestPostKey('2026-11-16')],
    ]);
    const [post, chart] = rows;
    if (post?.payload.operation !== 'post' || chart?.payload.operation !== 'file') throw new Error('wrong shapes');
    expect(post.payload.message).toMatchObject({ channel: LEADERSHIP_CHANNEL, text: result.text });
    expect(post.payload.message.blocks).toEqual(result.blocks);
    expect(chart.payload.target).toBe(digestPostKey('2026-11-16'));
    expect(chart.payload.file).toMatchObject({
      channel: LEADERSHIP_CHANNEL,
      filename: 'pickup-trend-2026-11-16.png',
      altText: expect.stringContaining('week of 2026-11-16: 4 picked, 3 reached, 1 advocates'),
    });
    expect(Buffer.from(chart.payload.file.contentBase64, 'base64').subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    const json = JSON.stringify(rows);
    for (const secret of Object.values(SEED_SECRETS)) expect(json).not.toContain(secret);
    expect(json).not.toContain('<!channel>');

    const again = await runDigest(db.db, input());
    expect(again.status).toBe('already_posted');
    expect(await outboxRows(db)).toHaveLength(2);
    expect(await digestRows(db)).toHaveLength(1);
    expect(describeDigestResult(again)).toBe(
      'The digest for the week of 2026-11-16 was already posted; nothing new was sent.',
    );
  });

  it('posts what the week taught: what we learned, actions with owners, top themes and whether fixes held', async () => {
    await seedKnownActions(db.db, seeded);
    const result = await runDigest(db.db, input({ chart: false }));
    expect(result.status).toBe('posted');
    const [post] = await outboxRows(db);
    if (post?.payload.operation !== 'post') throw new Error('no post queued');
    const json = JSON.stringify(post.payload.message.blocks);
    expect(json).toContain('*What we learned*\\n>the customer said the fix saved her team at their company');
    expect(json).toContain('*Actions*: 4 opened · 1 done · 1 overdue');
    expect(json).toContain(`<@${SEED_EXECS.one}>, due Nov 20`);
    expect(json).toContain('• Stop charging twice on plan changes · _Billing_ · <@UEXEC0002>');
    expect(json).toContain('*Did the fixes hold?*');
    expect(json).toContain(':repeat: 1 new major complaint on this theme since');
    // ACTION_THEMES unset: the default themes, in their spelling, though actions wrote Billing, billing and BILLING.
    expect(json).toContain('*Top themes (90 days)*, in major complaints\\nBilling 3 · Delivery 1 · Support process 1');
    for (const secret of Object.values(SEED_SECRETS)) expect(json).not.toContain(secret);
    expect(json).toContain('confirm with Ada on [phone] or [email]');
  });

  it('a dry run builds everything and writes nothing', async () => {
    const result = await runDigest(db.db, input({ dryRun: true }));
    expect(result.status).toBe('dry_run');
    expect(result.blocks.length).toBeGreaterThan(3);
    expect(result.text).toContain('4 received, 4 picked, 3 reached, 1 new advocate');
    expect(await outboxRows(db)).toHaveLength(0);
    expect(await digestRows(db)).toHaveLength(0);
    expect(describeDigestResult(result)).toMatch(/^Dry run: .* nothing was written or sent\.$/);
  });

  it('posts without a chart when asked, keeping the sparkline', async () => {
    const result = await runDigest(db.db, input({ chart: false }));
    expect(result.status).toBe('posted');
    expect(result.model.chart).toBe(false);
    expect((await outboxRows(db)).map((r) => r.operation)).toEqual(['post']);
    expect(JSON.stringify(result.blocks)).toContain('`▁▃▁█` Picked: 0 → 1 → 0 → 4');
  });

  it('marks the current week partial, and posts its complete figures once after it ends', async () => {
    const midweek = new Date('2026-11-19T18:00:00Z');
    const partial = await runDigest(db.db, input({ now: midweek }));
    expect(partial.status).toBe('posted');
    expect(partial.model.partial).toBe(true);
    expect(partial.blocks[0]).toMatchObject({ text: { text: expect.stringContaining('(partial week, so far)') } });
    expect(await digestRows(db)).toEqual([expect.objectContaining({ week_start: '2026-11-16', partial: true })]);

    expect((await runDigest(db.db, input({ now: midweek }))).status).toBe('already_posted');

    const final = await runDigest(db.db, input());
    expect(final.status).toBe('posted');
    expect(final.model.partial).toBe(false);
    expect(await digestRows(db)).toEqual([expect.objectContaining({ week_start: '2026-11-16', partial: false })]);
    expect((await outboxRows(db)).map((r) => r.key)).toEqual([
      digestPostKey('2026-11-16'),
      digestChartKey('2026-11-16'),
      `${digestPostKey('2026-11-16')}:final`,
      `${digestChartKey('2026-11-16')}:final`,
    ]);
    expect((await runDigest(db.db, input())).status).toBe('already_posted');
    expect(await outboxRows(db)).toHaveLength(4);
  });

  it('reveals the seed of the week just over and publishes the commitment of the week in progress', async () => {
    const past = await ensureWeekSeed(db.db, '2026-11-16', new Date('2026-11-16T15:00:00Z'));
    const result = await runDigest(db.db, input({ chart: false }));
    const current = await db.db
      .selectFrom('draw_seeds')
      .selectAll()
      .where('week_start', '=', '2026-11-23')
      .executeTakeFirstOrThrow();
    expect(result.model.seeds).toEqual({
      revealed: past,
      current: { weekStart: '2026-11-23', commitment: current.commitment },
    });
    const [post] = await outboxRows(db);
    const posted = JSON.stringify(post?.payload);
    expect(posted).toContain(`Draw seed of the week of Nov 16, revealed now that the week is over: \`${past.seed}\``);
    expect(posted).toContain(past.commitment);
    expect(posted).toContain(
      `This week's draws (week of Nov 23) use the seed committed to as \`${current.commitment}\``,
    );
    // This week's seed stays secret until its week is over.
    expect(posted).not.toContain(current.seed);
  });

  it('a partial digest of the week in progress shows its commitment and never its seed', async () => {
    const own = await ensureWeekSeed(db.db, '2026-11-16', new Date('2026-11-16T15:00:00Z'));
    const result = await runDigest(db.db, input({ now: new Date('2026-11-19T18:00:00Z'), chart: false }));
    expect(result.model.partial).toBe(true);
    const posted = JSON.stringify((await outboxRows(db))[0]?.payload);
    expect(posted).toContain(own.commitment);
    expect(posted).not.toContain(own.seed);
  });

  it('runDigestJob digests the last complete week in TIMEZONE for the configured executives', async () => {
    const config = testConfig({ TIMEZONE: TZ });
    const result = await runDigestJob(
      { db: db.db, config, roles: { listExecutives: async () => [SEED_EXECS.one, SEED_EXECS.never] }, now: () => NOW },
      { dryRun: false, chart: false },
    );
    expect(result.status).toBe('posted');
    expect(result.model.weekStart).toBe('2026-11-16');
    expect(result.model.metrics.quiet).toEqual([SEED_EXECS.never]);
    expect(describeDigestResult(result)).toBe(
      'Queued the digest for the week of 2026-11-16 to 2026-11-22 to the leadership channel.',
    );
    const [post] = await outboxRows(db);
    expect(post?.payload).toMatchObject({ operation: 'post', message: { channel: config.leadershipChannel } });
  });
});

describeOnPostgres('runDigest across instances (Postgres)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb({ poolSize: 10 });
  });
  beforeEach(async () => {
    await resetDigestTables(db.db);
    await seedKnownWeek(db.db);
  });
  afterAll(() => db.close());

  it('8 concurrent runs for one week post exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => runDigest(db.db, input())));
    expect(results.filter((r) => r.status === 'posted')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already_posted')).toHaveLength(7);
    expect(await digestRows(db)).toHaveLength(1);
    const rows = await outboxRows(db);
    expect(rows.filter((r) => r.operation === 'post')).toHaveLength(1);
    expect(rows.filter((r) => r.operation === 'file')).toHaveLength(1);
  });

  it('8 concurrent runs completing a partial week post the final figures exactly once', async () => {
    expect((await runDigest(db.db, input({ now: new Date('2026-11-19T18:00:00Z'), chart: false }))).status).toBe(
      'posted',
    );
    const results = await Promise.all(Array.from({ length: 8 }, () => runDigest(db.db, input({ chart: false }))));
    expect(results.filter((r) => r.status === 'posted')).toHaveLength(1);
    expect((await outboxRows(db)).map((r) => r.key)).toEqual([
      digestPostKey('2026-11-16'),
      `${digestPostKey('2026-11-16')}:final`,
    ]);
  });
});
