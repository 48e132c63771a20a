import type { ComplaintInput } from '../../src/complaints/complaint';
import type { MajorRule } from '../../src/complaints/complaint.major';
import { MAX_SOURCE_CLOCK_SKEW_MS, receiveComplaint } from '../../src/complaints/complaint.service';
import { describeOnPostgres } from '../helpers/env';
import { newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const rule: MajorRule = { priorities: ['urgent', 'high'], tags: ['vip'] };
const MINUTE = 60_000;
const T0 = new Date('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

/** Delivers one complaint in its own transaction, as the webhook route does, arriving at `now`. */
function deliver(db: TestDb, input: ComplaintInput, now = new Date()) {
  return db.db.transaction().execute((trx) => receiveComplaint(trx, input, rule, 'webhook:test', now));
}

function stored(db: TestDb, externalId: string) {
  return db.db
    .selectFrom('complaints')
    .select(['id', 'subject', 'priority', 'is_major', 'source_updated_at', 'became_major_at'])
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

function auditActions(db: TestDb, id: number) {
  return db.db
    .selectFrom('audit_log')
    .select('action')
    .where('complaint_id', '=', id)
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.action));
}

describe('out-of-order deliveries: the newest vendor time wins', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('a stale "read" event does not downgrade a complaint that a later event made major', async () => {
    const ticket = newComplaint({ priority: 'urgent', subject: 'Escalated: export broken' });
    const later = await deliver(db, { ...ticket, sourceUpdatedAt: at(5) });
    // Sent before the escalation, delivered after it (a retry): normal priority, older subject.
    const stale = await deliver(db, {
      ...ticket,
      priority: 'normal',
      subject: 'Export broken',
      sourceUpdatedAt: at(0),
    });

    expect(later.status).toBe('created');
    expect(stale).toEqual({ status: 'duplicate', id: later.status === 'created' ? later.id : -1 });
    const row = await stored(db, ticket.externalId);
    expect(row).toMatchObject({
      subject: 'Escalated: export broken',
      priority: 'urgent',
      is_major: true,
      source_updated_at: at(5),
      became_major_at: at(5),
    });
    expect(await auditActions(db, row.id)).toEqual(['complaint.received', 'complaint.stale']);
  });

  it('a stale major event does not revive a complaint that a later event downgraded', async () => {
    const ticket = newComplaint({ priority: 'high' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
    await deliver(db, { ...ticket, priority: 'low', sourceUpdatedAt: at(10) });
    const stale = await deliver(db, { ...ticket, priority: 'urgent', sourceUpdatedAt: at(5) });

    expect(stale.status).toBe('duplicate');
    expect(await stored(db, ticket.externalId)).toMatchObject({
      priority: 'low',
      is_major: false,
      source_updated_at: at(10),
      became_major_at: null,
    });
  });

  it('a downgrade touches its own complaint only, with or without a vendor time', async () => {
    const bystander = newComplaint({ priority: 'urgent' });
    await deliver(db, bystander);
    for (const sourceUpdatedAt of [undefined, at(100)]) {
      const ticket = newComplaint({ priority: 'high' });
      await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
      await deliver(db, { ...ticket, priority: 'low', sourceUpdatedAt });
      expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: false });
    }
    expect(await stored(db, bystander.externalId)).toMatchObject({ priority: 'urgent', is_major: true });
  });

  it('a stale downgrade changes nothing either', async () => {
    const ticket = newComplaint({ priority: 'high' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(10) });
    await deliver(db, { ...ticket, priority: 'low', sourceUpdatedAt: at(9) });
    expect(await stored(db, ticket.externalId)).toMatchObject({ priority: 'high', is_major: true });
  });

  it('applies newer and equally new deliveries, in the order they come', async () => {
    const ticket = newComplaint({ priority: 'high', subject: 'first' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
    await deliver(db, { ...ticket, subject: 'second', sourceUpdatedAt: at(1) });
    // Two events of one update (e.g. Zendesk's priority and status events) carry the same time.
    await deliver(db, { ...ticket, subject: 'third', priority: 'urgent', sourceUpdatedAt: at(1) });
    expect(await stored(db, ticket.externalId)).toMatchObject({
      subject: 'third',
      priority: 'urgent',
      source_updated_at: at(1),
    });
  });

  it('applies a delivery without a vendor time (it cannot be ordered), keeping the newest time seen', async () => {
    const ticket = newComplaint({ priority: 'high', subject: 'timed' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(3) });
    await deliver(db, { ...ticket, subject: 'untimed', sourceUpdatedAt: undefined });
    expect(await stored(db, ticket.externalId)).toMatchObject({ subject: 'untimed', source_updated_at: at(3) });
  });

  it('takes a vendor time far ahead of our clock as now, so one bad clock cannot freeze a complaint', async () => {
    const ticket = newComplaint({ priority: 'high', subject: 'from a skewed clock' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(365 * 24 * 60) }, T0);
    const row = await stored(db, ticket.externalId);
    expect(row.source_updated_at?.getTime()).toBe(T0.getTime() + MAX_SOURCE_CLOCK_SKEW_MS);
    // A genuine update a moment later still applies.
    const later = at(1);
    await deliver(
      db,
      { ...ticket, subject: 'next', sourceUpdatedAt: new Date(later.getTime() + MAX_SOURCE_CLOCK_SKEW_MS) },
      later,
    );
    expect((await stored(db, ticket.externalId)).subject).toBe('next');
  });
});

describe('became_major_at: when a complaint last turned major', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('is the vendor time of the first major delivery, even for a ticket opened long before', async () => {
    const ticket = newComplaint({ priority: 'urgent', receivedAt: new Date('2026-09-24T09:00:00Z') });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
    expect(await stored(db, ticket.externalId)).toMatchObject({ became_major_at: at(0) });
  });

  it('is when it was received when the vendor gives no time (as the migration backfilled)', async () => {
    const receivedAt = new Date('2026-11-20T08:00:00Z');
    const ticket = newComplaint({ priority: 'urgent', receivedAt });
    await deliver(db, ticket);
    expect(await stored(db, ticket.externalId)).toMatchObject({ became_major_at: receivedAt });
  });

  it('is kept while the complaint stays major, cleared when it stops, and set again when it turns major again', async () => {
    const ticket = newComplaint({ priority: 'high' });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
    await deliver(db, { ...ticket, priority: 'urgent', sourceUpdatedAt: at(10) });
    expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: true, became_major_at: at(0) });

    await deliver(db, { ...ticket, priority: 'normal', sourceUpdatedAt: at(20) });
    expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: false, became_major_at: null });

    await deliver(db, { ...ticket, priority: 'urgent', sourceUpdatedAt: at(30) });
    expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: true, became_major_at: at(30) });
  });

  it('turns major again without a vendor time: from now', async () => {
    const ticket = newComplaint({ priority: 'high', receivedAt: new Date('2026-09-01T00:00:00Z') });
    await deliver(db, ticket, at(0));
    await deliver(db, { ...ticket, priority: 'low' }, at(1));
    await deliver(db, { ...ticket, priority: 'urgent' }, at(2));
    expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: true, became_major_at: at(2) });
  });

  it('counts a vendor rule (vendorMajor) as major whatever the priority', async () => {
    const ticket = newComplaint({ priority: 'normal', tags: [], vendorMajor: true });
    expect((await deliver(db, ticket)).status).toBe('created');
    expect(await stored(db, ticket.externalId)).toMatchObject({ is_major: true, priority: 'normal' });
  });
});

/** Fisher–Yates with a seeded generator, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describeOnPostgres(
  'out-of-order deliveries under concurrency (real PostgreSQL only: PGlite runs one transaction at a time)',
  () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 20 });
    });
    afterAll(() => db.close());

    const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

    it.each([1, 2, 3, 4, 5])(
      'round %i: 20 concurrent updates of one stored ticket, shuffled, end as the newest one says',
      async (seed) => {
        const ticket = newComplaint({ priority: 'high' });
        await deliver(db, { ...ticket, subject: 'v0', sourceUpdatedAt: at(0) });
        const updates = Array.from({ length: 20 }, (_, i) => ({
          ...ticket,
          subject: `v${i + 1}`,
          priority: PRIORITIES[(i * 7 + seed) % 4] ?? 'high',
          sourceUpdatedAt: at(i + 1),
        }));
        const newest = updates[updates.length - 1];
        if (!newest) throw new Error('no updates');

        const results = await Promise.all(shuffled(updates, seed).map((u) => deliver(db, u)));

        expect(results.every((r) => r.status === 'duplicate')).toBe(true);
        const newestIsMajor = newest.priority === 'urgent' || newest.priority === 'high';
        expect(await stored(db, ticket.externalId)).toMatchObject({
          subject: newest.subject,
          priority: newest.priority,
          is_major: newestIsMajor,
          source_updated_at: newest.sourceUpdatedAt,
        });
      },
    );

    it('20 concurrent first deliveries of one new ticket: one row, holding the newest', async () => {
      const ticket = newComplaint({ priority: 'urgent' });
      const deliveries = Array.from({ length: 20 }, (_, i) => ({
        ...ticket,
        subject: `v${i}`,
        sourceUpdatedAt: at(i),
      }));

      const results = await Promise.all(shuffled(deliveries, 42).map((d) => deliver(db, d)));

      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      const rows = await db.db
        .selectFrom('complaints')
        .select('subject')
        .where('external_id', '=', ticket.externalId)
        .execute();
      expect(rows).toEqual([{ subject: 'v19' }]);
      expect(await stored(db, ticket.externalId)).toMatchObject({ source_updated_at: at(19), is_major: true });
    });
  },
);
