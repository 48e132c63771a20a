import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { ComplaintInput, Customer } from '../../src/complaints/complaint';
import { toComplaintRow } from '../../src/complaints/complaint.service';
import type {
  ActionRow,
  ActionsTable,
  AdvocacyEvidenceTable,
  CallAttemptRow,
  CallAttemptsTable,
  ClaimRow,
  ClaimsTable,
  Database,
  NewComplaintRow,
  PickRow,
  PicksTable,
} from '../../src/db/schema';
import { EXEC_1 } from './config';

type Db = Kysely<Database> | Transaction<Database>;

/** Overrides for {@link newComplaint}: any field; `customer` merges (set a field to undefined to drop it). */
export type ComplaintOverrides = Partial<Omit<ComplaintInput, 'customer'>> & { customer?: Partial<Customer> };

let sequence = 0;
// Distinct per test file too, in case two files ever share a database.
const run = randomBytes(3).toString('hex');

/**
 * A valid, major complaint as intake would produce it. Each call has its own external id and its own customer
 * (email, phone and company), so complaints never share a customer unless a test says so.
 * `customer` overrides are merged into the default customer.
 */
export function newComplaint(overrides: ComplaintOverrides = {}): ComplaintInput {
  sequence += 1;
  const n = sequence;
  const { customer, ...rest } = overrides;
  return {
    source: 'api',
    externalId: `ext-${run}-${n}`,
    subject: `Complaint ${n}: the export has been failing for a week`,
    description: 'Every nightly export since Monday stopped halfway.',
    supportTried: 'Restarted the job twice.',
    priority: 'urgent',
    tags: [],
    url: `https://help.example.com/tickets/${n}`,
    ...rest,
    customer: {
      name: `Customer ${n}`,
      company: `Company ${run} ${n}`,
      phone: `+1555${String(n).padStart(7, '0')}`,
      email: `customer-${run}-${n}@example.com`,
      timezone: 'America/New_York',
      ...customer,
    },
  };
}

/** Inserts a complaint (major unless rowOverrides say otherwise) and returns its id. */
export async function insertComplaint(
  db: Db,
  overrides: ComplaintOverrides = {},
  rowOverrides: Partial<NewComplaintRow> = {},
): Promise<number> {
  const row = { ...toComplaintRow(newComplaint(overrides), true, new Date()), ...rowOverrides };
  // A test that ages a major complaint by its received time ages its major time with it, unless it sets that too.
  if (rowOverrides.received_at !== undefined && !('became_major_at' in rowOverrides) && row.is_major) {
    row.became_major_at = rowOverrides.received_at;
  }
  const { id } = await db.insertInto('complaints').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Today's date (UTC) as YYYY-MM-DD, the default pick date. */
function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Inserts a pick (today's, of a new major complaint, suggesting EXEC_1) and returns its row. Any column can be
 * overridden; pass `complaint_id: null` for a day whose pool was empty. Picks are unique per date, so a test that
 * inserts several sets `pick_date`.
 */
export async function insertPick(db: Db, overrides: Partial<Insertable<PicksTable>> = {}): Promise<PickRow> {
  const complaintId = overrides.complaint_id === undefined ? await insertComplaint(db) : overrides.complaint_id;
  return db
    .insertInto('picks')
    .values({
      pick_date: todayUtc(),
      pool_size: 1,
      drawn_index: complaintId === null ? null : 0,
      pool_hash: 'test-pool-hash',
      suggested_exec: EXEC_1,
      trigger: 'test',
      ...overrides,
      complaint_id: complaintId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts a claim (open, by EXEC_1, now, on a new major complaint unless `complaint_id` says which) and returns it. */
export async function insertClaim(db: Db, overrides: Partial<Insertable<ClaimsTable>> = {}): Promise<ClaimRow> {
  const complaintId = overrides.complaint_id ?? (await insertComplaint(db));
  return db
    .insertInto('claims')
    .values({ claimed_by: EXEC_1, ...overrides, complaint_id: complaintId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inserts a call attempt (a reached call, no notes) and returns it. Without `claim_id` it makes a claim first (on
 * `complaint_id` when given); the complaint and the executive default to the claim's.
 */
export async function insertAttempt(
  db: Db,
  overrides: Partial<Insertable<CallAttemptsTable>> = {},
): Promise<CallAttemptRow> {
  const claim =
    overrides.claim_id === undefined
      ? await insertClaim(db, {
          ...(overrides.complaint_id === undefined ? {} : { complaint_id: overrides.complaint_id }),
          ...(overrides.executive === undefined ? {} : { claimed_by: overrides.executive }),
        })
      : await db.selectFrom('claims').selectAll().where('id', '=', overrides.claim_id).executeTakeFirstOrThrow();
  return db
    .insertInto('call_attempts')
    .values({
      claim_id: claim.id,
      complaint_id: claim.complaint_id,
      executive: claim.claimed_by,
      outcome: 'reached',
      notes: null,
      follow_up_date: null,
      advocate_assessment: null,
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts advocacy evidence (EXEC_1's "advocate" assessment, on a new complaint unless `complaint_id` says) and returns it. */
export async function insertEvidence(
  db: Db,
  overrides: Partial<Insertable<AdvocacyEvidenceTable>> = {},
): Promise<Selectable<AdvocacyEvidenceTable>> {
  const complaintId = overrides.complaint_id ?? (await insertComplaint(db));
  return db
    .insertInto('advocacy_evidence')
    .values({
      kind: 'executive_assessment',
      is_advocacy: true,
      source: 'executive',
      recorded_by: EXEC_1,
      ...overrides,
      complaint_id: complaintId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inserts an action (open, "product", owned and asked for by EXEC_1, no due date, on a new major complaint unless
 * `complaint_id` says which) and returns its row.
 */
export async function insertAction(db: Db, overrides: Partial<Insertable<ActionsTable>> = {}): Promise<ActionRow> {
  const complaintId = overrides.complaint_id ?? (await insertComplaint(db));
  return db
    .insertInto('actions')
    .values({
      description: 'Send a status email when a nightly export fails',
      theme: 'product',
      owner_id: EXEC_1,
      requested_by: EXEC_1,
      due_date: null,
      ...overrides,
      complaint_id: complaintId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
