import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { ComplaintInput, Customer } from '../../src/complaints/complaint';
import { toComplaintRow } from '../../src/complaints/complaint.service';
import type { ActionRow, ActionsTable, Database, NewComplaintRow } from '../../src/db/schema';
import { EXEC_1 } from './config';

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
  db: Kysely<Database> | Transaction<Database>,
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

/**
 * Inserts an action (open, "product", owned and asked for by EXEC_1, no due date, on a new major complaint unless
 * `complaint_id` says which) and returns its row.
 */
export async function insertAction(
  db: Kysely<Database> | Transaction<Database>,
  overrides: Partial<Insertable<ActionsTable>> = {},
): Promise<ActionRow> {
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
