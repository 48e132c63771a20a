import type { Transaction } from 'kysely';
import type { ComplaintRow, Database, Db, NewComplaintRow } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { toE164 } from '../privacy/redact';
import type { Complaint, ComplaintInput } from './complaint';
import { buildEscalationNotice } from './complaint.blocks';
import { isMajor, type MajorRule } from './complaint.major';
import { findComplaintById, updateExistingComplaintAudited, upsertComplaintAudited } from './complaint.repository';

/** What intake did with one delivery; the HTTP status follows from `status`. */
export type IntakeResult =
  | { status: 'created'; id: number }
  | { status: 'duplicate'; id: number }
  | { status: 'ignored'; reason: string };

/**
 * Maps the model to a row; one without its own received time was received `now`. Exported for the CSV import,
 * which stages rows and inserts them in bulk.
 */
export function toComplaintRow(input: ComplaintInput, major: boolean, now: Date): NewComplaintRow {
  const receivedAt = input.receivedAt ?? now;
  return {
    source: input.source,
    external_id: input.externalId,
    subject: input.subject,
    description: input.description ?? null,
    support_tried: input.supportTried ?? null,
    priority: input.priority,
    tags: input.tags.map((t) => t.toLowerCase()),
    is_major: major,
    do_not_call: input.doNotCall ?? false,
    customer_name: input.customer.name,
    customer_company: input.customer.company ?? null,
    customer_phone: input.customer.phone ?? null,
    // Every write path (webhooks, /escalate, CSV import) comes through here, so every stored phone has its E.164.
    customer_phone_e164: input.customer.phone ? toE164(input.customer.phone) : null,
    customer_email: input.customer.email ?? null,
    customer_timezone: input.customer.timezone ?? null,
    ticket_url: input.url ?? null,
    escalated_by: input.escalatedBy ?? null,
    assignee_name: input.assignee?.name || null,
    assignee_email: input.assignee?.email || null,
    received_at: receivedAt,
    source_updated_at: input.sourceUpdatedAt ?? null,
    // Without a vendor time, a complaint major from its first delivery counts as major since it was received.
    became_major_at: major ? (input.sourceUpdatedAt ?? receivedAt) : null,
  };
}

/** How far ahead of our clock a vendor time may be; later ones are taken as now, so one bad clock cannot freeze a complaint. */
export const MAX_SOURCE_CLOCK_SKEW_MS = 5 * 60 * 1000;

function boundedSourceTime(sourceUpdatedAt: Date | undefined, now: Date): Date | undefined {
  if (sourceUpdatedAt === undefined) return undefined;
  const latest = now.getTime() + MAX_SOURCE_CLOCK_SKEW_MS;
  return sourceUpdatedAt.getTime() > latest ? new Date(latest) : sourceUpdatedAt;
}

/**
 * Records one delivery of a complaint, exactly once per (source, externalId), with its audit row.
 * Major complaints are stored or updated. A non-major delivery only updates a complaint already stored
 * (so a downgrade takes it out of the pool); otherwise it is ignored and nothing is written.
 * A delivery older (by the vendor's own time) than the one already applied changes nothing and is audited as stale.
 * `now` is when it arrived: the received time of a delivery without one, and the bound on vendor clocks.
 * One statement (a second only in a rare race, see the repository), so `db` needs no transaction around it: the
 * webhook routes pass the database itself; /escalate passes its transaction, which also queues the notice.
 */
export async function receiveComplaint(
  db: Db,
  received: ComplaintInput,
  rule: MajorRule | 'always-major',
  actor: string,
  now: Date,
): Promise<IntakeResult> {
  const input = { ...received, sourceUpdatedAt: boundedSourceTime(received.sourceUpdatedAt, now) };
  const major =
    rule === 'always-major' ||
    input.vendorMajor === true ||
    isMajor({ priority: input.priority, tags: input.tags }, rule);
  if (!major) {
    const updated = await updateExistingComplaintAudited(
      db,
      input.source,
      input.externalId,
      {
        subject: input.subject,
        priority: input.priority,
        tags: input.tags.map((t) => t.toLowerCase()),
        source_updated_at: input.sourceUpdatedAt ?? null,
      },
      { actor, applied: { major: false }, stale: staleDetails(input) },
    );
    if (updated === undefined) {
      return { status: 'ignored', reason: `not major: priority ${input.priority} and no tag among the major tags` };
    }
    return { status: 'duplicate', id: updated.id };
  }
  const { id, created } = await upsertComplaintAudited(db, toComplaintRow(input, true, now), now, {
    actor,
    applied: { source: input.source, externalId: input.externalId },
    stale: staleDetails(input),
  });
  return created ? { status: 'created', id } : { status: 'duplicate', id };
}

function staleDetails(input: ComplaintInput): Record<string, unknown> {
  return {
    source: input.source,
    externalId: input.externalId,
    sourceUpdatedAt: input.sourceUpdatedAt?.toISOString(),
    reason: 'older than the delivery already applied',
  };
}

/**
 * A support lead's escalation: always major (a lead's judgement is the rule), and new ones are announced
 * in the executives' channel, without contact details, in the same transaction. It arrives when the lead submits
 * it, so `receivedAt` is its arrival time.
 */
export async function escalateComplaint(
  trx: Transaction<Database>,
  input: ComplaintInput & { escalatedBy: string; receivedAt: Date },
  execChannel: string,
): Promise<IntakeResult> {
  const result = await receiveComplaint(trx, input, 'always-major', input.escalatedBy, input.receivedAt);
  if (result.status === 'created') {
    const row = await findComplaintById(trx, result.id);
    if (row) {
      await enqueueMessage(trx, `escalation:${result.id}`, {
        operation: 'post',
        message: { channel: execChannel, ...buildEscalationNotice(toComplaint(row), input.escalatedBy) },
      });
    }
  }
  return result;
}

/** Maps a stored row to the domain model. */
export function toComplaint(row: ComplaintRow): Complaint {
  return {
    id: row.id,
    source: row.source,
    externalId: row.external_id,
    subject: row.subject,
    description: row.description,
    supportTried: row.support_tried,
    priority: row.priority,
    tags: row.tags,
    isMajor: row.is_major,
    doNotCall: row.do_not_call,
    customer: {
      name: row.customer_name,
      company: row.customer_company,
      phone: row.customer_phone,
      email: row.customer_email,
      timezone: row.customer_timezone,
    },
    url: row.ticket_url,
    escalatedBy: row.escalated_by,
    assignee: { name: row.assignee_name, email: row.assignee_email },
    receivedAt: row.received_at,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}
