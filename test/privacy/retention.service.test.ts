import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { ERASED_SUBJECT } from '../../src/privacy/erasure.repository';
import { purgeExpiredContactDetails, runRetentionJob } from '../../src/privacy/retention.service';
import { EXEC_1 } from '../helpers/config';
import { insertAttempt, insertClaim, insertComplaint, insertEvidence } from '../helpers/factories';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

const DAY_MS = 86_400_000;
const NOW = new Date('2027-06-01T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY_MS);

/** A complaint with a claim, one attempt per outcome given (with notes) and a survey comment, closed or not. */
async function complaintWithHistory(
  db: Kysely<Database>,
  opts: { receivedDaysAgo: number; closedDaysAgo: number | null; outcomes: string[] },
): Promise<number> {
  const id = await insertComplaint(
    db,
    {},
    {
      received_at: daysAgo(opts.receivedDaysAgo),
      closed_at: opts.closedDaysAgo === null ? null : daysAgo(opts.closedDaysAgo),
    },
  );
  const claim = await insertClaim(db, {
    complaint_id: id,
    claimed_by: EXEC_1,
    status: opts.closedDaysAgo === null ? 'open' : 'closed',
    claimed_at: daysAgo(opts.receivedDaysAgo - 1),
  });
  for (const outcome of opts.outcomes) {
    await insertAttempt(db, {
      claim_id: claim.id,
      outcome,
      notes: `Notes about complaint ${id}: they gave their cell, 555 0100.`,
      created_at: daysAgo(opts.receivedDaysAgo - 1),
    });
  }
  await insertEvidence(db, {
    complaint_id: id,
    kind: 'survey_promoter',
    is_advocacy: true,
    source: 'survey',
    recorded_by: null,
    score: 10,
    note: `Comment on ${id}: lovely call`,
  });
  return id;
}

/** What a digest counts: attempts per outcome, claims per status, evidence per kind, complaints closed. */
async function digestCounts(db: Kysely<Database>) {
  const { rows } = await sql<{ metric: string; n: number }>`
    SELECT 'attempt:' || outcome AS metric, count(*)::int AS n FROM call_attempts GROUP BY outcome
    UNION ALL SELECT 'claim:' || status, count(*)::int FROM claims GROUP BY status
    UNION ALL SELECT 'evidence:' || kind, count(*)::int FROM advocacy_evidence GROUP BY kind
    UNION ALL SELECT 'complaints:closed', count(*)::int FROM complaints WHERE closed_at IS NOT NULL
    UNION ALL SELECT 'complaints:all', count(*)::int FROM complaints
    ORDER BY 1`.execute(db);
  return rows;
}

async function erasedIds(db: Kysely<Database>): Promise<number[]> {
  const rows = await db
    .selectFrom('complaints')
    .select('id')
    .where('pii_erased_at', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

describe('retention: contact details of long-closed complaints are purged', () => {
  let db: TestDb;
  let closedOld: number;
  let closedRecent: number;
  let openOld: number;

  beforeAll(async () => {
    db = await createTestDb();
  });
  // Each test starts from the same three complaints, none of them purged yet.
  beforeEach(async () => {
    await emptyTables(db.db);
    closedOld = await complaintWithHistory(db.db, {
      receivedDaysAgo: 420,
      closedDaysAgo: 400,
      outcomes: ['no_answer', 'reached'],
    });
    closedRecent = await complaintWithHistory(db.db, {
      receivedDaysAgo: 40,
      closedDaysAgo: 10,
      outcomes: ['reached'],
    });
    openOld = await complaintWithHistory(db.db, {
      receivedDaysAgo: 500,
      closedDaysAgo: null,
      outcomes: ['voicemail'],
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('erases only complaints closed more than RETENTION_DAYS ago, keeping every number the digest counts', async () => {
    const before = await digestCounts(db.db);
    const purged = await purgeExpiredContactDetails(db.db, { now: NOW, retentionDays: 365 });
    expect(purged).toBe(1);
    expect(await erasedIds(db.db)).toEqual([closedOld]);
    expect(await digestCounts(db.db)).toEqual(before);

    const old = await db.db.selectFrom('complaints').selectAll().where('id', '=', closedOld).executeTakeFirstOrThrow();
    expect(old).toMatchObject({
      subject: ERASED_SUBJECT,
      customer_name: null,
      customer_phone: null,
      customer_email: null,
      description: null,
      support_tried: null,
    });
    expect(old.pii_erased_at?.toISOString()).toBe(NOW.toISOString());
    const notes = await db.db.selectFrom('call_attempts').select(['complaint_id', 'notes']).orderBy('id').execute();
    expect(notes.filter((n) => n.complaint_id === closedOld).map((n) => n.notes)).toEqual([null, null]);
    expect(notes.filter((n) => n.complaint_id !== closedOld).every((n) => n.notes?.startsWith('Notes about'))).toBe(
      true,
    );
    const evidence = await db.db
      .selectFrom('advocacy_evidence')
      .select(['complaint_id', 'note'])
      .orderBy('complaint_id')
      .execute();
    expect(evidence.map((e) => e.note)).toEqual([null, `Comment on ${closedRecent}: lovely call`, expect.any(String)]);

    for (const untouched of [closedRecent, openOld]) {
      const row = await db.db
        .selectFrom('complaints')
        .selectAll()
        .where('id', '=', untouched)
        .executeTakeFirstOrThrow();
      expect(row.customer_email).toMatch(/@example\.com$/);
      expect(row.subject).not.toBe(ERASED_SUBJECT);
    }
  });

  it('audits the run by count and ids only, and a second run finds nothing', async () => {
    expect(await purgeExpiredContactDetails(db.db, { now: NOW, retentionDays: 365 })).toBe(1);
    const audit = await db.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'complaint_id', 'details'])
      .where('action', '=', 'complaints.retention_purge')
      .execute();
    expect(audit).toEqual([
      {
        actor: 'retention',
        action: 'complaints.retention_purge',
        complaint_id: null,
        details: { count: 1, retentionDays: 365, complaintIds: [closedOld] },
      },
    ]);
    expect(await purgeExpiredContactDetails(db.db, { now: NOW, retentionDays: 365 })).toBe(0);
    const after = await db.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'complaints.retention_purge')
      .execute();
    expect(after).toHaveLength(1);
  });

  it('works through a backlog in batches, one audited transaction each', async () => {
    const backlog: number[] = [];
    for (let i = 0; i < 4; i++) {
      backlog.push(
        await complaintWithHistory(db.db, { receivedDaysAgo: 800, closedDaysAgo: 700 + i, outcomes: ['reached'] }),
      );
    }
    const before = await digestCounts(db.db);
    // With the complaint closed 400 days ago, five are due: batches of two, two and one.
    expect(await purgeExpiredContactDetails(db.db, { now: NOW, retentionDays: 365, batchSize: 2 })).toBe(5);
    expect(await erasedIds(db.db)).toEqual([closedOld, ...backlog]);
    expect(await digestCounts(db.db)).toEqual(before);
    const audit = await db.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'complaints.retention_purge')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.details.count)).toEqual([2, 2, 1]);
  });

  it('runRetentionJob reads RETENTION_DAYS from config and logs the count', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    // With a 5-day retention, the complaint closed 10 days ago is due as well as the one closed 400 days ago.
    const purged = await runRetentionJob({ db: db.db, config: { retentionDays: 5 }, logger, now: () => NOW });
    expect(purged).toBe(2);
    expect(await erasedIds(db.db)).toEqual([closedOld, closedRecent]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ job: 'retention', purged: 2, retentionDays: 5 }),
    ]);
  });
});
