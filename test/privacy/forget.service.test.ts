import { type Kysely, sql } from 'kysely';
import { recordSurvey } from '../../src/calls/advocacy.service';
import { claimComplaint, logAttempt, releaseClaim } from '../../src/calls/claim.service';
import { FORGET_NOTHING_MATCHED, forgetCommand } from '../../src/cli/forget.command';
import type { CommandContext } from '../../src/cli/support';
import { UsageError } from '../../src/cli/support';
import { receiveComplaint } from '../../src/complaints/complaint.service';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { markSent } from '../../src/outbox/outbox.repository';
import { runPickJob } from '../../src/picks/pick.job';
import { findEligibleComplaintIds } from '../../src/picks/pick.repository';
import { explainEligibility } from '../../src/picks/pick.service';
import { ERASED_SUBJECT } from '../../src/privacy/erasure.repository';
import { type ForgetSelector, forgetCustomer } from '../../src/privacy/forget.service';
import { EXEC_1, EXEC_2, testConfig, testEnv } from '../helpers/config';
import { type ComplaintOverrides, insertAction, newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const RULE = { priorities: ['urgent', 'high'], tags: [] };
// A little ahead of the intake clock, so every complaint below counts as already received.
const NOW = new Date(Date.now() + 60_000);

/** Intake through the real service, as a webhook would. */
async function intake(db: Kysely<Database>, overrides: ComplaintOverrides): Promise<number> {
  const result = await db
    .transaction()
    .execute((trx) => receiveComplaint(trx, newComplaint(overrides), RULE, 'webhook:api', new Date()));
  if (result.status !== 'created') throw new Error(`expected a new complaint, got ${result.status}`);
  return result.id;
}

const forget = (db: Kysely<Database>, selector: ForgetSelector) =>
  db.transaction().execute((trx) => forgetCustomer(trx, selector, 'test-operator', new Date()));

/**
 * Where a value still appears: each table whose rows, as JSON, contain it (case-insensitively), with the count.
 * Every table in the schema is searched, including ones added after this test was written.
 */
async function whereItAppears(db: Kysely<Database>, value: string): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['complaints', 'outbox', 'audit_log', 'digests']));
  const found: Record<string, number> = {};
  const pattern = `%${value.toLowerCase()}%`;
  for (const { name } of tables) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ${sql.table(name)} t WHERE lower(row_to_json(t)::text) LIKE ${pattern}`.execute(
      db,
    );
    const n = rows[0]?.n ?? 0;
    if (n > 0) found[name] = n;
  }
  return found;
}

/** A whole cycle for one customer, written through the services: intake, pick, claim, calls, release, survey. */
async function fullCycle(db: Kysely<Database>, customer: { name: string; phone: string; email: string }) {
  const subject = `Charged twice by ${customer.name}'s bank`;
  const first = await intake(db, {
    subject,
    description: `My name is ${customer.name}, reach me on ${customer.email}.`,
    supportTried: `Emailed ${customer.email}; called ${customer.phone}.`,
    customer: { ...customer, company: `${customer.name} Holdings`, timezone: 'Europe/Paris' },
  });
  // Picked while it is the only eligible complaint, so the pick's channel post is about it.
  const pick = await runPickJob(
    { db, config: testConfig(), roles: { listExecutives: async () => [EXEC_1, EXEC_2] }, now: () => NOW },
    { date: NOW.toISOString().slice(0, 10), trigger: 'cli', actor: 'test' },
  );
  expect(pick.pick.complaintId).toBe(first);

  const firstClaim = await db
    .transaction()
    .execute((trx) => claimComplaint(trx, { complaintId: first, userId: EXEC_2, now: NOW }));
  await db.transaction().execute((trx) =>
    releaseClaim(trx, {
      claimId: firstClaim.claim.id,
      userId: EXEC_2,
      reason: `${customer.name} only speaks to the CEO`,
      now: NOW,
    }),
  );
  const { claim } = await db
    .transaction()
    .execute((trx) => claimComplaint(trx, { complaintId: first, userId: EXEC_1, now: NOW }));
  for (const outcome of ['voicemail', 'reached'] as const) {
    await db.transaction().execute((trx) =>
      logAttempt(trx, {
        claimId: claim.id,
        userId: EXEC_1,
        attempt: {
          outcome,
          notes: `${customer.name} (${customer.email}, ${customer.phone}) wants the refund confirmed in writing.`,
          followUpDate: undefined,
          assessment: outcome === 'reached' ? 'still_unhappy' : undefined,
          okToQuote: true,
        },
        now: NOW,
        followupDays: 14,
      }),
    );
  }
  // A detractor score after the call queues a DM to the executive quoting the comment.
  await db.transaction().execute((trx) =>
    recordSurvey(trx, {
      complaint: { id: first },
      score: 2,
      comment: `${customer.name} here, still waiting. Call ${customer.phone} or write ${customer.email}.`,
      now: NOW,
    }),
  );
  return { complaintId: first, claimId: claim.id, subject };
}

describe('forget: erasing a customer everywhere', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  describe('by email, after a full cycle', () => {
    const GRACE = { name: 'Grace Hopper', phone: '+14155550199', email: 'grace.hopper@navy.example' };
    let cycle: Awaited<ReturnType<typeof fullCycle>>;
    let second: number;
    let bystander: number;
    let report: Awaited<ReturnType<typeof forget>>;
    // Its own database: these tests look at whole tables, which the other tests' customers must not share.
    let db: TestDb;

    // Every test below looks at what this one erasure did, so it runs once, before them, and none of them writes.
    beforeAll(async () => {
      db = await createTestDb();
      cycle = await fullCycle(db.db, GRACE);
      // Her second complaint arrived through a help desk that keeps the address's capitals.
      second = await intake(db.db, { customer: { ...GRACE, email: 'Grace.Hopper@Navy.Example', phone: undefined } });
      bystander = await intake(db.db, { customer: { name: 'Alan Turing', email: 'alan@bletchley.example' } });
      // Her brief went out; the still-unhappy DM has not yet.
      const brief = await db.db
        .selectFrom('outbox')
        .select('id')
        .where('dedupe_key', '=', `claim:${cycle.claimId}:brief`)
        .executeTakeFirstOrThrow();
      await markSent(db.db, brief.id, { channel: `D${EXEC_1}`, ts: '1732350000.000100' });
      // A stored digest quoting her call notes.
      await db.db
        .insertInto('digests')
        .values({
          week_start: '2026-11-16',
          metrics: JSON.stringify({ calls: 2, quotes: [`"${GRACE.name} wants it in writing" (${GRACE.email})`] }),
        })
        .execute();
      // An action her call opened, whose text names her: the learning must stay, she must not.
      await insertAction(db.db, {
        complaint_id: cycle.complaintId,
        description: `Call ${GRACE.name} back (${GRACE.email}) once billing sends written refunds`,
        theme: 'billing',
        status: 'wont_do',
        close_reason: `${GRACE.phone} no longer answers`,
      });
      for (const value of [GRACE.phone, GRACE.email, GRACE.name]) {
        expect(Object.keys(await whereItAppears(db.db, value)).length).toBeGreaterThan(0);
      }
      report = await forget(db.db, { email: 'GRACE.HOPPER@navy.example' });
    });
    afterAll(() => db.close());

    it('erases both of her complaints, whatever the case of the address given', () => {
      expect(report.complaintIds).toEqual([cycle.complaintId, second]);
      expect(report.counts).toMatchObject({
        complaints: 2,
        callAttemptNotes: 2,
        claimReleaseReasons: 1,
        evidenceNotes: 1,
        digests: 1,
        actionTexts: 1,
      });
      expect(report.counts.outboxPayloads).toBeGreaterThanOrEqual(5);
    });

    it('leaves her phone, email, name and free text in no column of any table', async () => {
      for (const value of [
        GRACE.phone,
        '+1 415 555 0199'.replace(/ /g, ''),
        GRACE.email,
        GRACE.name,
        'Hopper',
        cycle.subject,
        'refund confirmed in writing',
        'only speaks to the CEO',
        'still waiting',
        'Europe/Paris',
      ]) {
        expect({ value, tables: await whereItAppears(db.db, value) }).toEqual({ value, tables: {} });
      }
    });

    it('keeps the action her call opened, without her in its text', async () => {
      const [action] = await db.db
        .selectFrom('actions')
        .select(['description', 'theme', 'status'])
        .where('complaint_id', '=', cycle.complaintId)
        .execute();
      expect(action).toMatchObject({ theme: 'billing', status: 'wont_do' });
      expect(action?.description).toContain('once billing sends written refunds');
      expect(action?.description).not.toContain('Hopper');
    });

    it('keeps the rows, ids, outcomes and evidence kinds the digest counts', async () => {
      const complaint = await db.db
        .selectFrom('complaints')
        .selectAll()
        .where('id', '=', cycle.complaintId)
        .executeTakeFirstOrThrow();
      expect(complaint).toMatchObject({
        subject: ERASED_SUBJECT,
        customer_name: null,
        customer_company: null,
        customer_phone: null,
        customer_email: null,
        customer_timezone: null,
        description: null,
        support_tried: null,
        priority: 'urgent',
        is_major: true,
      });
      expect(complaint.pii_erased_at).toBeInstanceOf(Date);
      expect(complaint.closed_at).toBeInstanceOf(Date);
      const attempts = await db.db
        .selectFrom('call_attempts')
        .select(['outcome', 'advocate_assessment', 'executive'])
        .where('complaint_id', '=', cycle.complaintId)
        .orderBy('id')
        .execute();
      expect(attempts).toEqual([
        { outcome: 'voicemail', advocate_assessment: null, executive: EXEC_1 },
        { outcome: 'reached', advocate_assessment: 'still_unhappy', executive: EXEC_1 },
      ]);
      const claims = await db.db
        .selectFrom('claims')
        .select(['status', 'claimed_by'])
        .where('complaint_id', '=', cycle.complaintId)
        .orderBy('id')
        .execute();
      expect(claims).toEqual([
        { status: 'released', claimed_by: EXEC_2 },
        { status: 'closed', claimed_by: EXEC_1 },
      ]);
      const evidence = await db.db
        .selectFrom('advocacy_evidence')
        .select(['kind', 'score'])
        .where('complaint_id', '=', cycle.complaintId)
        .execute();
      expect(evidence).toEqual([{ kind: 'survey_detractor', score: 2 }]);
      const digest = await db.db.selectFrom('digests').select('metrics').executeTakeFirstOrThrow();
      expect(digest.metrics).toEqual({ calls: 2, quotes: ['"[erased] wants it in writing" ([erased])'] });
    });

    it('cancels her undelivered messages and empties the delivered ones, keeping where they landed', async () => {
      const rows = await db.db
        .selectFrom('outbox')
        .select(['dedupe_key', 'operation', 'payload', 'status', 'last_error', 'result_ts'])
        .orderBy('id')
        .execute();
      const brief = rows.find((r) => r.dedupe_key === `claim:${cycle.claimId}:brief`);
      expect(brief).toMatchObject({
        status: 'sent',
        operation: 'post',
        payload: { operation: 'post', erased: true },
        result_ts: '1732350000.000100',
      });
      const unhappy = rows.find((r) => r.dedupe_key.startsWith('survey:'));
      expect(unhappy).toMatchObject({ status: 'failed', last_error: 'erased', payload: { erased: true } });
      const pickPost = rows.find((r) => r.dedupe_key.endsWith(':post') && r.dedupe_key.startsWith('pick:'));
      expect(pickPost).toMatchObject({ status: 'failed', payload: { operation: 'post', erased: true } });
      expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    });

    it('leaves the bystander untouched', async () => {
      const row = await db.db
        .selectFrom('complaints')
        .selectAll()
        .where('id', '=', bystander)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ customer_name: 'Alan Turing', customer_email: 'alan@bletchley.example' });
      expect(row.pii_erased_at).toBeNull();
    });

    it('keeps the audit trail, adds one erasure row per complaint, and holds only ids and field names', async () => {
      const rows = await db.db
        .selectFrom('audit_log')
        .select(['action', 'actor', 'complaint_id', 'details'])
        .where('complaint_id', 'in', [cycle.complaintId, second])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['complaint.received', 'pick.drawn', 'claim.created', 'attempt.logged']),
      );
      const erasures = rows.filter((r) => r.action === 'complaint.erased');
      expect(erasures).toEqual([
        {
          action: 'complaint.erased',
          actor: 'test-operator',
          complaint_id: cycle.complaintId,
          details: {
            by: 'email',
            fields: [
              'customer_name',
              'customer_company',
              'customer_phone',
              'customer_email',
              'customer_timezone',
              'subject',
              'description',
              'support_tried',
            ],
          },
        },
        {
          action: 'complaint.erased',
          actor: 'test-operator',
          complaint_id: second,
          details: expect.objectContaining({ by: 'email', fields: expect.not.arrayContaining(['customer_phone']) }),
        },
      ]);
    });

    it('a second request finds nothing left to erase', async () => {
      const again = await forget(db.db, { email: GRACE.email });
      expect(again.complaintIds).toEqual([]);
    });
  });

  it('by complaint id: erases that one, and spares what another complaint of the same customer still needs', async () => {
    const ada = { name: 'Ada Byron', email: 'ada@engines.example', phone: '+442079460001' };
    const old = await intake(db.db, { customer: ada, subject: 'Old invoice problem' });
    const current = await intake(db.db, { customer: ada, subject: 'Current outage' });
    await db.db.transaction().execute((trx) => claimComplaint(trx, { complaintId: current, userId: EXEC_1, now: NOW }));

    const report = await forget(db.db, { complaintId: old });
    expect(report.complaintIds).toEqual([old]);

    const rows = await db.db
      .selectFrom('complaints')
      .select(['id', 'customer_email', 'subject'])
      .where('id', 'in', [old, current])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: old, customer_email: null, subject: ERASED_SUBJECT },
      { id: current, customer_email: ada.email, subject: 'Current outage' },
    ]);
    // The current complaint's brief carries the same email, but it is not this erasure's to cancel.
    const brief = await db.db
      .selectFrom('outbox')
      .select(['status', 'payload'])
      .where('dedupe_key', 'like', 'claim:%:brief')
      .where('status', '=', 'pending')
      .execute();
    expect(brief).toHaveLength(1);
    expect(JSON.stringify(brief[0]?.payload)).toContain(ada.email);
  });

  it('by phone: matches however the number is written, given or stored', async () => {
    const id = await intake(db.db, {
      customer: { name: 'Katherine Johnson', phone: '+44 20 7946 0958', email: 'kj@langley.example' },
    });
    const stored = await db.db
      .selectFrom('complaints')
      .select('customer_phone')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // The service stores what it is given; only the webhook's schema normalises. Matching must cope with both.
    expect(stored.customer_phone).toBe('+44 20 7946 0958');

    const report = await forget(db.db, { phone: '44 (20) 7946-0958' });
    expect(report.complaintIds).toEqual([id]);
    expect(await whereItAppears(db.db, '7946 0958')).toEqual({});
    expect(await whereItAppears(db.db, 'kj@langley.example')).toEqual({});
  });

  it('by phone: finds a stored number no library could read by its digits, and looks numbers up by index', async () => {
    // Stored before the E.164 column, or by an adapter, in a form that is not a phone number anywhere.
    const odd = await intake(db.db, { customer: { name: 'Odd Number', phone: '999 1234 5678 000' } });
    const row = await db.db
      .selectFrom('complaints')
      .select('customer_phone_e164')
      .where('id', '=', odd)
      .executeTakeFirstOrThrow();
    expect(row.customer_phone_e164).toBeNull();
    expect((await forget(db.db, { phone: '99912345678000' })).complaintIds).toEqual([odd]);

    const plan = await db.db.transaction().execute(async (trx) => {
      // With a few rows a sequential scan is cheapest; forbid it to see whether the indexes serve the lookup.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return sql<Record<string, string>>`EXPLAIN SELECT id FROM complaints
        WHERE customer_phone_e164 = '+12025550177'
           OR (customer_phone_e164 IS NULL AND customer_phone IS NOT NULL
               AND regexp_replace(customer_phone, '[^0-9]', '', 'g') = '2025550177')`.execute(trx);
    });
    const text = plan.rows.map((r) => String(Object.values(r)[0])).join('\n');
    expect(text).toMatch(/complaints_phone_e164_idx/);
    expect(text).toMatch(/complaints_phone_digits_idx/);
  });

  it('an erased complaint is never picked, even one nobody had called', async () => {
    const erased = await intake(db.db, { customer: { email: 'never-called@erase.example' } });
    await forget(db.db, { email: 'never-called@erase.example' });
    const pool = await findEligibleComplaintIds(db.db, { now: NOW, eligibleDays: 30, cooldownDays: 90 });
    expect(pool).not.toContain(erased);
    expect(await explainEligibility(db.db, erased, { now: NOW, eligibleDays: 30, cooldownDays: 90 })).toMatchObject({
      eligible: false,
      reasons: ['erased'],
    });
  });

  it('refuses a phone or email too short to identify anyone', async () => {
    await expect(forget(db.db, { phone: '12-34' })).rejects.toThrow(/at least 7 digits/);
    await expect(forget(db.db, { email: 'nobody' })).rejects.toThrow(/whole email/);
  });

  describe('npm run cli -- forget', () => {
    const run = async (args: string[]) => {
      const out: string[] = [];
      const ctx: CommandContext = {
        args,
        env: testEnv(),
        config: loadConfig(testEnv(), 'database'),
        logger: createLogger('silent'),
        out: (line) => out.push(line),
        now: () => new Date(),
        withDatabase: (fn) => fn(db),
      };
      const code = await forgetCommand.run(ctx);
      return { code, out: out.join('\n') };
    };

    it('needs exactly one selector, well formed', async () => {
      await expect(run([])).rejects.toThrow(UsageError);
      await expect(run(['--email', 'a@b.example', '--phone', '+14155550100'])).rejects.toThrow(
        /exactly one of --email, --phone or --complaint/,
      );
      await expect(run(['--complaint', 'abc'])).rejects.toThrow(/--complaint must be a complaint id/);
      await expect(run(['--phone', '12'])).rejects.toThrow(/7 to 15 digits/);
      await expect(run(['--email', 'not-an-address'])).rejects.toThrow(/--email must be an email address/);
      await expect(run(['--name', 'x'])).rejects.toThrow(UsageError);
      expect(forgetCommand.purpose).toBe('database');
    });

    it('prints what it erased, and says plainly and exits 3 when nothing matched', async () => {
      const a = await intake(db.db, { customer: { email: 'twice@cli.example' } });
      const b = await intake(db.db, { customer: { email: 'twice@cli.example' } });
      const done = await run(['--email', 'twice@cli.example']);
      expect(done.code).toBe(0);
      expect(done.out).toContain(`Erased 2 complaints (ids ${a}, ${b})`);
      expect(done.out).not.toContain('twice@cli.example');

      // A second run (or a typo) erases nothing, and a script must be able to tell.
      const again = await run(['--email', 'twice@cli.example']);
      expect(again).toEqual({
        code: FORGET_NOTHING_MATCHED,
        out: 'Nothing erased: no complaint matches that email address. Check it, or it may have been erased already.',
      });
      expect(FORGET_NOTHING_MATCHED).toBe(3);
      const none = await run(['--complaint', '999999']);
      expect(none.code).toBe(3);
      expect(none.out).toMatch(/^Nothing erased: no complaint matches that complaint id\./);
      const phone = await run(['--phone', '+1 303 555 0100']);
      expect(phone.code).toBe(3);
      expect(phone.out).not.toContain('555');
    });

    it('--phone finds every format of the number: 202-555-0177 finds +12025550177', async () => {
      const viaWebhook = await intake(db.db, { customer: { phone: '+12025550177' } });
      // As a help desk adapter stores it, unnormalised.
      const viaAdapter = await intake(db.db, { customer: { phone: '(202) 555 0177' } });
      const other = await intake(db.db, { customer: { phone: '+12025550178' } });
      const done = await run(['--phone', '202-555-0177']);
      expect(done.code).toBe(0);
      expect(done.out).toContain(`Erased 2 complaints (ids ${viaWebhook}, ${viaAdapter})`);
      const left = await db.db
        .selectFrom('complaints')
        .select(['id', 'customer_phone', 'customer_phone_e164'])
        .where('id', 'in', [viaWebhook, viaAdapter, other])
        .orderBy('id')
        .execute();
      expect(left).toEqual([
        { id: viaWebhook, customer_phone: null, customer_phone_e164: null },
        { id: viaAdapter, customer_phone: null, customer_phone_e164: null },
        { id: other, customer_phone: '+12025550178', customer_phone_e164: '+12025550178' },
      ]);
    });
  });
});
