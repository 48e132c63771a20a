import { sql } from 'kysely';
import pg from 'pg';
import { recordAudit } from '../../src/audit/audit.repository';
import type { ComplaintInput } from '../../src/complaints/complaint';
import type { MajorRule } from '../../src/complaints/complaint.major';
import { type IntakeResult, receiveComplaint } from '../../src/complaints/complaint.service';
import { forgetCustomer } from '../../src/privacy/forget.service';
import { describeOnPostgres } from '../helpers/env';
import { newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// Intake in one round trip (issue 15): a delivery and its audit row are one statement sent in autocommit, with no
// BEGIN or COMMIT, and every outcome writes exactly the audit row the four-statement version wrote.

const rule: MajorRule = { priorities: ['urgent', 'high'], tags: ['vip'] };
const ACTOR = 'webhook:test';
const T0 = new Date('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Delivers as the webhook route does: on the database itself, no transaction. */
function deliver(db: TestDb, input: ComplaintInput, now = at(60)): Promise<IntakeResult> {
  return receiveComplaint(db.db, input, rule, ACTOR, now);
}

/**
 * The SQL text of every statement the driver sends while `run` runs, BEGIN and COMMIT included: both engines reach
 * their database through node-postgres' Client (PGlite through its node-postgres bridge). The spy only watches.
 */
async function statementsDuring<T>(run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const spy = jest.spyOn(pg.Client.prototype, 'query');
  try {
    const result = await run();
    const statements = spy.mock.calls.map(([query]) =>
      typeof query === 'string' ? query : (query as { text: string }).text,
    );
    return { result, statements };
  } finally {
    spy.mockRestore();
  }
}

function auditRows(db: TestDb, complaintId: number) {
  return db.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'complaint_id', 'details'])
    .where('complaint_id', '=', complaintId)
    .orderBy('id')
    .execute();
}

async function count(db: TestDb, table: 'audit_log' | 'complaints'): Promise<number> {
  const { n } = await db.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

const idOf = (result: IntakeResult): number => {
  if (result.status === 'ignored') throw new Error(`expected a stored complaint, got ${JSON.stringify(result)}`);
  return result.id;
};

const staleDetails = (input: ComplaintInput) => ({
  source: input.source,
  externalId: input.externalId,
  sourceUpdatedAt: input.sourceUpdatedAt?.toISOString(),
  reason: 'older than the delivery already applied',
});

/** One outcome: what is stored first, then the delivery measured, and the audit row it must write. */
interface Scenario {
  name: string;
  before: ComplaintInput[];
  delivery: ComplaintInput;
  status: IntakeResult['status'];
  action: string;
  details: (input: ComplaintInput) => Record<string, unknown>;
}

function scenarios(): Scenario[] {
  const ticket = () => newComplaint({ priority: 'urgent' });
  const applied = (input: ComplaintInput) => ({ source: input.source, externalId: input.externalId });
  const [created, updated, stale, downgraded, staleDowngrade] = [ticket(), ticket(), ticket(), ticket(), ticket()];
  return [
    {
      name: 'a new major complaint: created, audited complaint.received',
      before: [],
      delivery: { ...created, sourceUpdatedAt: at(0) },
      status: 'created',
      action: 'complaint.received',
      details: applied,
    },
    {
      name: 'a newer major re-delivery: updated, audited complaint.updated',
      before: [{ ...updated, sourceUpdatedAt: at(0) }],
      delivery: { ...updated, subject: 'newer', sourceUpdatedAt: at(1) },
      status: 'duplicate',
      action: 'complaint.updated',
      details: applied,
    },
    {
      name: 'an older major re-delivery: nothing changed, audited complaint.stale',
      before: [{ ...stale, sourceUpdatedAt: at(5) }],
      delivery: { ...stale, subject: 'older', sourceUpdatedAt: at(1) },
      status: 'duplicate',
      action: 'complaint.stale',
      details: staleDetails,
    },
    {
      name: 'a non-major re-delivery: downgraded, audited complaint.updated',
      before: [{ ...downgraded, sourceUpdatedAt: at(0) }],
      delivery: { ...downgraded, priority: 'low', sourceUpdatedAt: at(1) },
      status: 'duplicate',
      action: 'complaint.updated',
      details: () => ({ major: false }),
    },
    {
      name: 'an older non-major re-delivery: nothing changed, audited complaint.stale',
      before: [{ ...staleDowngrade, sourceUpdatedAt: at(5) }],
      delivery: { ...staleDowngrade, priority: 'low', sourceUpdatedAt: at(1) },
      status: 'duplicate',
      action: 'complaint.stale',
      details: staleDetails,
    },
  ];
}

describe('intake: one statement per delivery, with its audit row', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it.each(scenarios().map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    for (const earlier of scenario.before) await deliver(db, earlier);
    const auditBefore = await count(db, 'audit_log');

    const { result, statements } = await statementsDuring(() => deliver(db, scenario.delivery));

    expect(statements).toHaveLength(1);
    expect(statements[0]).not.toMatch(/^\s*(begin|commit|start transaction)/i);
    expect(result.status).toBe(scenario.status);
    const id = idOf(result);
    expect(await count(db, 'audit_log')).toBe(auditBefore + 1);
    const rows = await auditRows(db, id);
    expect(rows[rows.length - 1]).toEqual({
      actor: ACTOR,
      action: scenario.action,
      complaint_id: id,
      details: scenario.details(scenario.delivery),
    });
  });

  it('a non-major delivery of an unknown complaint: ignored, one statement, nothing written', async () => {
    const ticket = newComplaint({ priority: 'low' });
    const before = { audit: await count(db, 'audit_log'), complaints: await count(db, 'complaints') };

    const { result, statements } = await statementsDuring(() => deliver(db, ticket));

    expect(result).toEqual({ status: 'ignored', reason: expect.stringContaining('not major') });
    expect(statements).toHaveLength(1);
    expect({ audit: await count(db, 'audit_log'), complaints: await count(db, 'complaints') }).toEqual(before);
  });

  it('applies the update only when the delivery applies: a stale one leaves the stored row as it was', async () => {
    const ticket = newComplaint({ priority: 'urgent', subject: 'newest' });
    const id = idOf(await deliver(db, { ...ticket, sourceUpdatedAt: at(5) }));
    await deliver(db, { ...ticket, subject: 'older', priority: 'high', sourceUpdatedAt: at(1) });
    await deliver(db, { ...ticket, subject: 'older', priority: 'low', sourceUpdatedAt: at(2) });

    const row = await db.db
      .selectFrom('complaints')
      .select(['subject', 'priority', 'is_major', 'source_updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ subject: 'newest', priority: 'urgent', is_major: true, source_updated_at: at(5) });
    expect((await auditRows(db, id)).map((a) => a.action)).toEqual([
      'complaint.received',
      'complaint.stale',
      'complaint.stale',
    ]);
  });

  it('writes its audit row in the shape recordAudit writes, to the byte', async () => {
    const ticket = newComplaint({ priority: 'urgent' });
    const id = idOf(await deliver(db, ticket));
    await recordAudit(db.db, {
      actor: ACTOR,
      action: 'complaint.received',
      complaintId: id,
      details: { source: ticket.source, externalId: ticket.externalId },
    });

    const rows = await db.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'complaint_id', sql<string>`details::text`.as('details')])
      .where('complaint_id', '=', id)
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(rows[1]);
  });

  it('restores nothing an erasure removed, on either path, and audits each re-delivery', async () => {
    const ticket = newComplaint({
      priority: 'urgent',
      subject: 'Grace cannot pay',
      customer: { name: 'Grace', email: 'grace-intake@example.com', phone: '+14155550199', company: 'Navy' },
    });
    const id = idOf(await deliver(db, { ...ticket, sourceUpdatedAt: at(0) }));
    await db.db
      .transaction()
      .execute((trx) => forgetCustomer(trx, { email: 'grace-intake@example.com' }, 'test', at(1)));

    const major = await deliver(db, { ...ticket, priority: 'high', sourceUpdatedAt: at(2) });
    const erased = {
      subject: '[erased]',
      description: null,
      support_tried: null,
      customer_name: null,
      customer_email: null,
      customer_phone: null,
      customer_phone_e164: null,
      customer_company: null,
      customer_timezone: null,
    };
    const stored = () => db.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(major).toEqual({ status: 'duplicate', id });
    expect(await stored()).toMatchObject({ ...erased, priority: 'high', is_major: true });

    const minor = await deliver(db, { ...ticket, priority: 'low', sourceUpdatedAt: at(3) });
    expect(minor).toEqual({ status: 'duplicate', id });
    expect(await stored()).toMatchObject({ ...erased, priority: 'low', is_major: false });
    const intake = (await auditRows(db, id)).filter((a) => a.action.startsWith('complaint.') && a.actor === ACTOR);
    expect(intake.map((a) => [a.action, a.details])).toEqual([
      ['complaint.received', { source: ticket.source, externalId: ticket.externalId }],
      ['complaint.updated', { source: ticket.source, externalId: ticket.externalId }],
      ['complaint.updated', { major: false }],
    ]);
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
  'intake in one statement under concurrency (real PostgreSQL only: PGlite runs one at a time)',
  () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await createTestDb({ poolSize: 24 });
    });
    afterAll(() => db.close());

    it('20 identical deliveries at once: one complaint, one received and nineteen updated audit rows', async () => {
      const ticket = newComplaint({ priority: 'urgent', sourceUpdatedAt: at(0) });

      const results = await Promise.all(Array.from({ length: 20 }, () => deliver(db, ticket)));

      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      const ids = new Set(results.map(idOf));
      expect(ids.size).toBe(1);
      const [id] = [...ids] as [number];
      const rows = await db.db
        .selectFrom('complaints')
        .select('id')
        .where('external_id', '=', ticket.externalId)
        .execute();
      expect(rows).toEqual([{ id }]);
      const actions = (await auditRows(db, id)).map((a) => a.action);
      expect(actions.filter((a) => a === 'complaint.received')).toHaveLength(1);
      expect(actions.filter((a) => a === 'complaint.updated')).toHaveLength(19);
      expect(actions).toHaveLength(20);
    });

    it.each([7, 8, 9])(
      'round %i: 20 out-of-order first deliveries at once: the newest wins, one audit row each, stale ones named',
      async (seed) => {
        const ticket = newComplaint({ priority: 'urgent' });
        const deliveries = Array.from({ length: 20 }, (_, i) => ({
          ...ticket,
          subject: `v${i}`,
          sourceUpdatedAt: at(i),
        }));

        const results = await Promise.all(shuffled(deliveries, seed).map((d) => deliver(db, d)));

        expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
        const [id] = [...new Set(results.map(idOf))] as [number];
        expect(new Set(results.map(idOf)).size).toBe(1);
        const row = await db.db
          .selectFrom('complaints')
          .select(['subject', 'source_updated_at'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ subject: 'v19', source_updated_at: at(19) });
        const audit = await auditRows(db, id);
        expect(audit).toHaveLength(20);
        expect(audit.filter((a) => a.action === 'complaint.received')).toHaveLength(1);
        // Every stale row names its own delivery, each at most once, and never the newest.
        const staleTimes = audit.filter((a) => a.action === 'complaint.stale').map((a) => a.details.sourceUpdatedAt);
        expect(new Set(staleTimes).size).toBe(staleTimes.length);
        expect(staleTimes).not.toContain(at(19).toISOString());
      },
    );

    /** Backends of this test's database waiting for a lock (a delivery waiting for another one's row). */
    async function waitingForLocks(): Promise<number> {
      const { n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`
        .execute(db.db)
        .then((r) => r.rows[0] ?? { n: 0 });
      return n;
    }

    /**
     * Delivers `second` while `first` is inserted but not committed, so the second statement's snapshot predates the
     * row it conflicts with; commits the first once the second waits for it. Resolves with both results.
     */
    async function deliverAcrossACommit(first: ComplaintInput, second: ComplaintInput) {
      let secondDelivery: Promise<IntakeResult> | undefined;
      try {
        const firstResult = await db.db.transaction().execute(async (trx) => {
          const result = await receiveComplaint(trx, first, rule, ACTOR, at(60));
          secondDelivery = deliver(db, second);
          await waitFor(async () => (await waitingForLocks()) > 0, {
            what: 'the second delivery to wait for the first one’s uncommitted row',
          });
          return result;
        });
        if (!secondDelivery) throw new Error('the second delivery never started');
        return { first: firstResult, second: await secondDelivery };
      } finally {
        // Settled before the database can close under it; when the first delivery failed, that error is the one reported.
        await secondDelivery?.catch(() => undefined);
      }
    }

    it('a stale delivery whose snapshot predates the newer row it conflicts with is still audited, by a second statement', async () => {
      const ticket = newComplaint({ priority: 'urgent' });
      const newer = { ...ticket, subject: 'newer', sourceUpdatedAt: at(10) };
      const older = { ...ticket, subject: 'older', sourceUpdatedAt: at(5) };

      const { result, statements } = await statementsDuring(() => deliverAcrossACommit(newer, older));

      const id = idOf(result.first);
      expect(result.first.status).toBe('created');
      expect(result.second).toEqual({ status: 'duplicate', id });
      expect(await auditRows(db, id)).toEqual([
        {
          actor: ACTOR,
          action: 'complaint.received',
          complaint_id: id,
          details: { source: 'api', externalId: ticket.externalId },
        },
        { actor: ACTOR, action: 'complaint.stale', complaint_id: id, details: staleDetails(older) },
      ]);
      // The first delivery's statement, then the second's twice: the statement whose outcome its snapshot hid, then
      // the fallback that audits it.
      expect(statements.filter((s) => /insert into "audit_log"/i.test(s))).toHaveLength(3);
      const row = await db.db.selectFrom('complaints').select('subject').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.subject).toBe('newer');
    });

    it('a newer delivery in the same race applies and is audited in its one statement', async () => {
      const ticket = newComplaint({ priority: 'urgent' });
      const older = { ...ticket, subject: 'older', sourceUpdatedAt: at(5) };
      const newer = { ...ticket, subject: 'newer', sourceUpdatedAt: at(10) };

      const { result, statements } = await statementsDuring(() => deliverAcrossACommit(older, newer));

      const id = idOf(result.first);
      expect(result.second).toEqual({ status: 'duplicate', id });
      expect((await auditRows(db, id)).map((a) => a.action)).toEqual(['complaint.received', 'complaint.updated']);
      expect(statements.filter((s) => /insert into "audit_log"/i.test(s))).toHaveLength(2);
      const row = await db.db.selectFrom('complaints').select('subject').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.subject).toBe('newer');
    });
  },
);
