import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { toComplaint } from '../../src/complaints/complaint.service';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { commitTo, drawFromPool } from '../../src/picks/draw';
import type { PickForPost } from '../../src/picks/pick';
import { findPickByComplaintId, findPickByDate, insertPick } from '../../src/picks/pick.repository';
import { type DailyPickInput, pickPostKey, runDailyPick } from '../../src/picks/pick.service';
import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const DAY = 86_400_000;
const NOW = new Date('2026-11-23T10:00:00Z');
const DATE = '2026-11-23';
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A post plus a thread reply, like the real pick announcement. */
function buildMessages(pick: PickForPost): OutboxMessage[] {
  return [
    {
      operation: 'post',
      message: {
        channel: EXEC_CHANNEL,
        text: pick.complaint ? `Pick #${pick.complaint.id}` : `No pick on ${pick.date}`,
      },
    },
    { operation: 'reply', target: pickPostKey(pick.date), message: { text: `1 of ${pick.poolSize}` } },
  ];
}

const input = (overrides: Partial<DailyPickInput> = {}): DailyPickInput => ({
  date: DATE,
  now: NOW,
  timezone: 'UTC',
  executives: [EXEC_1, EXEC_2],
  eligibleDays: 30,
  cooldownDays: 90,
  trigger: 'cli',
  actor: 'cli',
  buildMessages,
  ...overrides,
});

async function counts(db: TestDb) {
  const count = async (table: 'picks' | 'audit_log' | 'outbox') => {
    const row = await db.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return { picks: await count('picks'), audit: await count('audit_log'), outbox: await count('outbox') };
}

async function reset(db: TestDb): Promise<void> {
  await sql`TRUNCATE audit_log, outbox, executive_away, complaints, draw_seeds CASCADE`.execute(db.db);
}

/** The seed a week's draws used. */
async function seedOf(db: TestDb, weekStart: string): Promise<string> {
  const row = await db.db
    .selectFrom('draw_seeds')
    .select('seed')
    .where('week_start', '=', weekStart)
    .executeTakeFirstOrThrow();
  return row.seed;
}

describe('runDailyPick', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  beforeEach(() => reset(db));
  afterAll(() => db.close());

  it('draws one complaint and writes the pick, its audit row and its messages', async () => {
    const ids = [
      await insertComplaint(db.db, { receivedAt: daysAgo(1) }),
      await insertComplaint(db.db, { receivedAt: daysAgo(3) }),
      await insertComplaint(db.db, { receivedAt: daysAgo(2) }),
    ];
    await insertComplaint(db.db, { receivedAt: daysAgo(1) }, { is_major: false });
    // EXEC_1 called someone last week, so EXEC_2 is due.
    const called = await insertComplaint(db.db, { receivedAt: daysAgo(40) });
    await db.db.insertInto('claims').values({ complaint_id: called, claimed_by: EXEC_1, status: 'closed' }).execute();

    const posts: PickForPost[] = [];
    const result = await runDailyPick(
      db.db,
      input({
        buildMessages: (pick) => {
          posts.push(pick);
          return buildMessages(pick);
        },
      }),
    );

    // The draw is the week's seed applied to the date and the sorted pool; NOW is a Monday, so its week starts NOW.
    const sorted = [...ids].sort((a, b) => a - b);
    const seed = await seedOf(db, DATE);
    const commitment = commitTo(seed);
    const expected = drawFromPool(ids, seed, DATE);
    expect(expected.poolIds).toEqual(sorted);
    expect(result).toEqual({
      status: 'picked',
      pick: {
        id: expect.any(Number),
        date: DATE,
        complaintId: expected.complaintId,
        poolSize: 3,
        drawnIndex: expected.drawnIndex,
        poolHash: sha256(sorted.join(',')),
        suggestedExecutive: EXEC_2,
        trigger: 'cli',
        createdAt: NOW,
        poolIds: sorted,
        seedWeek: DATE,
        seedCommitment: commitment,
      },
    });

    const complaintId = result.pick.complaintId ?? -1;
    const row = await db.db
      .selectFrom('complaints')
      .selectAll()
      .where('id', '=', complaintId)
      .executeTakeFirstOrThrow();
    expect(posts).toEqual([
      {
        pickId: result.pick.id,
        date: DATE,
        poolSize: 3,
        suggestedExecutive: EXEC_2,
        trigger: 'cli',
        complaint: toComplaint(row),
        seedCommitment: commitment,
        seedWeek: DATE,
      },
    ]);

    expect(await findPickByDate(db.db, DATE)).toMatchObject({ id: result.pick.id, complaint_id: complaintId });
    expect(await findPickByComplaintId(db.db, complaintId)).toMatchObject({ id: result.pick.id, pick_date: DATE });

    const audit = await db.db.selectFrom('audit_log').selectAll().execute();
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'cli',
        action: 'pick.drawn',
        complaint_id: complaintId,
        details: {
          date: DATE,
          poolSize: 3,
          drawnIndex: expected.drawnIndex,
          poolHash: sha256(sorted.join(',')),
          seedWeek: DATE,
          seedCommitment: commitment,
          suggested: EXEC_2,
          trigger: 'cli',
        },
      }),
    ]);
    // The audit proves the draw without repeating anything the customer wrote or who they are.
    const details = JSON.stringify(audit[0]?.details);
    for (const text of [row.subject, row.customer_name, row.customer_email, row.customer_phone, row.customer_company]) {
      expect(details).not.toContain(String(text));
    }

    const outbox = await db.db.selectFrom('outbox').selectAll().orderBy('id').execute();
    expect(outbox.map((o) => [o.dedupe_key, o.operation, o.depends_on, o.status, o.payload])).toEqual([
      [
        pickPostKey(DATE),
        'post',
        null,
        'pending',
        { operation: 'post', message: { channel: EXEC_CHANNEL, text: `Pick #${complaintId}` } },
      ],
      [
        `pick:${DATE}:1`,
        'reply',
        pickPostKey(DATE),
        'pending',
        { operation: 'reply', target: pickPostKey(DATE), message: { text: '1 of 3' } },
      ],
    ]);
  });

  it('writes all of it in one transaction: when building the messages fails, nothing is left behind', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    const failing = input({
      buildMessages: () => {
        throw new Error('renderer broke');
      },
    });
    await expect(runDailyPick(db.db, failing)).rejects.toThrow('renderer broke');
    expect(await counts(db)).toEqual({ picks: 0, audit: 0, outbox: 0 });

    // Nothing was half-done, so the date can simply be run again.
    expect((await runDailyPick(db.db, input())).status).toBe('picked');
    expect(await counts(db)).toEqual({ picks: 1, audit: 1, outbox: 2 });
  });

  it('refuses messages that do not start with the channel post, and writes nothing', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    const replyFirst = input({
      buildMessages: (pick) => [{ operation: 'reply', target: pickPostKey(pick.date), message: { text: 'x' } }],
    });
    await expect(runDailyPick(db.db, replyFirst)).rejects.toThrow(/first message of a pick must be its channel post/);
    expect(await counts(db)).toEqual({ picks: 0, audit: 0, outbox: 0 });
  });

  it('runs once per date: a second call returns the stored pick and writes nothing', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    const first = await runDailyPick(db.db, input({ trigger: 'schedule', actor: 'scheduler' }));
    expect(first.status).toBe('picked');
    const before = await counts(db);

    const build = jest.fn(buildMessages);
    const second = await runDailyPick(db.db, input({ trigger: 'slash', actor: EXEC_1, buildMessages: build }));
    expect(second).toEqual({ status: 'already_picked', pick: first.pick });
    expect(build).not.toHaveBeenCalled();
    expect(await counts(db)).toEqual(before);
    expect(before).toEqual({ picks: 1, audit: 1, outbox: 2 });
  });

  it('records an empty pool as a pick of nothing, with its messages, exactly once', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(45) });
    const posts: PickForPost[] = [];
    const result = await runDailyPick(
      db.db,
      input({
        buildMessages: (pick) => {
          posts.push(pick);
          return buildMessages(pick);
        },
      }),
    );
    expect(result.status).toBe('empty');
    expect(result.pick).toMatchObject({ complaintId: null, poolSize: 0, drawnIndex: null, poolHash: sha256('') });
    expect(posts).toEqual([expect.objectContaining({ complaint: null, poolSize: 0, date: DATE })]);

    const row = await findPickByDate(db.db, DATE);
    expect(row).toMatchObject({ pool_size: 0, complaint_id: null, drawn_index: null });
    const audit = await db.db.selectFrom('audit_log').select(['action', 'complaint_id']).execute();
    expect(audit).toEqual([{ action: 'pick.drawn', complaint_id: null }]);
    const keys = await db.db.selectFrom('outbox').select('dedupe_key').orderBy('id').execute();
    expect(keys.map((k) => k.dedupe_key)).toEqual([pickPostKey(DATE), `pick:${DATE}:1`]);

    expect((await runDailyPick(db.db, input())).status).toBe('already_picked');
    expect(await counts(db)).toEqual({ picks: 1, audit: 1, outbox: 2 });
  });

  it('never picks a complaint twice', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertComplaint(db.db, { receivedAt: daysAgo(1) }));
    const picked: (number | null)[] = [];
    for (const day of [0, 1, 2, 3]) {
      const now = new Date(NOW.getTime() + day * DAY);
      const result = await runDailyPick(db.db, input({ date: `2026-11-2${3 + day}`, now }));
      picked.push(result.pick.complaintId);
    }
    expect(picked.slice(0, 3).sort()).toEqual([...ids].sort());
    expect(picked[3]).toBeNull();
  });

  it.each<
    [string, { email?: string; phone?: string; company?: string }, { email?: string; phone?: string; company?: string }]
  >([
    ['email', { email: 'pat@example.com' }, { email: 'pat@example.com' }],
    ['phone', { phone: '+14155550123' }, { phone: '+14155550123' }],
    ['company (any case)', { company: 'Initech Ltd' }, { company: 'INITECH ltd' }],
  ])('keeps the same customer (by %s) out of the pool for the cooldown', async (_by, first, second) => {
    const a = await insertComplaint(db.db, { receivedAt: daysAgo(1), customer: first });
    expect((await runDailyPick(db.db, input())).pick.complaintId).toBe(a);

    // Same customer by one detail only, complaining again the next day.
    const b = await insertComplaint(db.db, { receivedAt: NOW, customer: second });
    const nextDay = await runDailyPick(db.db, input({ date: '2026-11-24', now: new Date(NOW.getTime() + DAY) }));
    expect(nextDay.status).toBe('empty');

    // A complaint of someone else is still picked, and the cooldown ends after 90 days.
    const c = await insertComplaint(db.db, { receivedAt: new Date(NOW.getTime() + DAY) });
    const later = await runDailyPick(db.db, input({ date: '2026-11-25', now: new Date(NOW.getTime() + 2 * DAY) }));
    expect(later.pick.complaintId).toBe(c);
    await db.db
      .updateTable('complaints')
      .set({ received_at: new Date(NOW.getTime() + 90 * DAY), became_major_at: new Date(NOW.getTime() + 90 * DAY) })
      .where('id', '=', b)
      .execute();
    const afterCooldown = await runDailyPick(
      db.db,
      input({ date: '2027-02-22', now: new Date(NOW.getTime() + 91 * DAY) }),
    );
    expect(afterCooldown.pick.complaintId).toBe(b);
  });

  it('suggests the executive with the fewest recent claims, skipping anyone away; nobody when all are away', async () => {
    for (let i = 0; i < 3; i++) await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    const exec3 = 'UEXEC0009';
    const closedClaim = async (user: string, claimedAt: Date) => {
      const complaintId = await insertComplaint(db.db, { receivedAt: daysAgo(60) });
      await db.db
        .insertInto('claims')
        .values({ complaint_id: complaintId, claimed_by: user, status: 'closed', claimed_at: claimedAt })
        .execute();
    };
    await closedClaim(EXEC_1, daysAgo(40)); // too old to count
    await closedClaim(EXEC_2, daysAgo(3));
    await closedClaim(exec3, daysAgo(3));
    await closedClaim(exec3, daysAgo(4));
    await db.db
      .insertInto('executive_away')
      .values([
        { user_id: EXEC_1, start_date: '2026-11-23', end_date: '2026-11-23' },
        { user_id: EXEC_2, start_date: '2026-11-25', end_date: '2026-11-25' },
        { user_id: exec3, start_date: '2026-11-25', end_date: '2026-11-25' },
      ])
      .execute();
    const executives = [EXEC_1, EXEC_2, exec3, EXEC_2];
    const onDay = (day: number) =>
      runDailyPick(db.db, input({ date: `2026-11-2${3 + day}`, now: new Date(NOW.getTime() + day * DAY), executives }));

    expect((await onDay(0)).pick.suggestedExecutive).toBe(EXEC_2); // EXEC_1 away; 1 claim beats 2
    expect((await onDay(1)).pick.suggestedExecutive).toBe(EXEC_1); // back, with no recent claims
    expect((await onDay(2)).pick.suggestedExecutive).toBe(EXEC_1); // the others are away
    await db.db
      .insertInto('executive_away')
      .values({ user_id: EXEC_1, start_date: '2026-11-26', end_date: '2026-11-30' })
      .execute();
    await db.db
      .insertInto('executive_away')
      .values([EXEC_2, exec3].map((user_id) => ({ user_id, start_date: '2026-11-26', end_date: '2026-11-26' })))
      .execute();
    const allAway = await onDay(3);
    expect(allAway.status).toBe('empty');
    expect(allAway.pick.suggestedExecutive).toBeNull();
    const audit = await db.db.selectFrom('audit_log').select('details').orderBy('id').execute();
    expect(audit.map((a) => a.details.suggested)).toEqual([EXEC_2, EXEC_1, EXEC_1, null]);
  });

  it('breaks a rotation tie with the injected random source', async () => {
    await insertComplaint(db.db, { receivedAt: daysAgo(1) });
    const asked: number[] = [];
    const result = await runDailyPick(
      db.db,
      input({
        random: (n) => {
          asked.push(n);
          return n - 1;
        },
      }),
    );
    // Only the tie between the two executives (sorted: EXEC_1, EXEC_2): the draw itself uses the week's seed.
    expect(asked).toEqual([2]);
    expect(result.pick.suggestedExecutive).toBe([EXEC_1, EXEC_2].sort()[1]);
  });
});

describe('insertPick', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('inserts nothing and returns undefined when the date already has a pick', async () => {
    const seed = '0'.repeat(64);
    await db.db
      .insertInto('draw_seeds')
      .values({ week_start: DATE, seed, commitment: commitTo(seed) })
      .execute();
    const pick = {
      date: DATE,
      complaintId: null,
      poolSize: 0,
      drawnIndex: null,
      poolHash: sha256(''),
      suggestedExecutive: null,
      trigger: 'cli',
      createdAt: NOW,
      poolIds: [],
      seedWeek: DATE,
      seedCommitment: commitTo(seed),
    };
    const first = await insertPick(db.db, pick);
    expect(first).toMatchObject({ pick_date: DATE, pool_size: 0, pool_ids: [], seed_week: DATE });
    expect(await insertPick(db.db, { ...pick, suggestedExecutive: EXEC_1 })).toBeUndefined();
    expect(await findPickByDate(db.db, DATE)).toEqual(first);
  });
});

describeOnPostgres(
  'runDailyPick races (real PostgreSQL only: PGlite runs one transaction at a time, so this race cannot happen there)',
  () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 10 });
    });
    beforeEach(() => reset(db));
    afterAll(() => db.close());

    it('10 concurrent calls for one date: exactly one picks, nine find its pick, one set of messages', async () => {
      for (let i = 0; i < 20; i++) await insertComplaint(db.db, { receivedAt: daysAgo(1) });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => runDailyPick(db.db, input({ actor: `instance-${i}` }))),
      );

      const winners = results.filter((r) => r.status === 'picked');
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.status === 'already_picked')).toHaveLength(9);
      const winner = winners[0]?.pick;
      for (const r of results) expect(r.pick).toEqual(winner);

      expect(await counts(db)).toEqual({ picks: 1, audit: 1, outbox: 2 });
      const keys = await db.db.selectFrom('outbox').select(['dedupe_key', 'payload']).orderBy('id').execute();
      expect(keys).toEqual([
        {
          dedupe_key: pickPostKey(DATE),
          payload: { operation: 'post', message: { channel: EXEC_CHANNEL, text: `Pick #${winner?.complaintId}` } },
        },
        { dedupe_key: `pick:${DATE}:1`, payload: expect.objectContaining({ operation: 'reply' }) },
      ]);
    });

    it('concurrent picks for different dates never choose the same complaint', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await insertComplaint(db.db, { receivedAt: daysAgo(1) }));
      const results = await Promise.all(
        [23, 24, 25, 26, 27].map((day) => runDailyPick(db.db, input({ date: `2026-11-${day}` }))),
      );
      expect(results.map((r) => r.status)).toEqual(['picked', 'picked', 'picked', 'picked', 'picked']);
      expect(results.map((r) => r.pick.complaintId).sort()).toEqual([...ids].sort());
    });

    it('with one eligible complaint, concurrent picks for different dates draw it once and find the pool empty after', async () => {
      // A pool of one always draws index 0, so without serialising every draw would choose it and collide.
      const only = await insertComplaint(db.db, { receivedAt: daysAgo(1) });
      const results = await Promise.all(
        [23, 24, 25, 26, 27].map((day) => runDailyPick(db.db, input({ date: `2026-11-${day}` }))),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['empty', 'empty', 'empty', 'empty', 'picked']);
      expect(results.find((r) => r.status === 'picked')?.pick.complaintId).toBe(only);
    });
  },
);
