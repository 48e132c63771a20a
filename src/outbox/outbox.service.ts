import type { Kysely } from 'kysely';
import { VENDOR_SOURCES, type VendorSource } from '../complaints/complaint';
import type { Database } from '../db/schema';
import { type ChannelLabel, deliveryAdvice, type OtherDestination } from './outbox.advice';
import {
  countOutbox,
  findStatuses,
  listUndelivered,
  type RequeuedRow,
  type RequeueSelection,
  requeueFailed,
  type UndeliveredRow,
} from './outbox.repository';

/** A message that failed or waits, with why and what to do about it. */
export interface UndeliveredMessage {
  id: number;
  key: string;
  operation: string;
  status: 'pending' | 'failed';
  attempts: number;
  /** Where a Slack message goes (a channel, or a user for a DM); null for notes and events. */
  channel: string | null;
  /** Where it goes, for people: the channel or user ID, "zendesk ticket 123", or "webhook". */
  target: string | null;
  /** What it is, for people: the Slack operation, "note", or "event complaint.claimed". */
  kind: string;
  /** The reason of the last failed attempt; null for a message simply queued. */
  reason: string | null;
  advice: string;
  createdAt: Date;
}

/** The listing: at most `limit` messages, failed first, and how many there are in all. */
export interface UndeliveredList {
  items: UndeliveredMessage[];
  failed: number;
  pending: number;
}

/** The messages that failed (and, unless `failedOnly`, those waiting), each with its reason and advice. */
export async function listUndeliveredMessages(
  db: Kysely<Database>,
  options: { failedOnly: boolean; limit: number; label?: ChannelLabel },
): Promise<UndeliveredList> {
  const rows = await listUndelivered(db, options);
  const counts = await countOutbox(db);
  return {
    items: rows.map((r) => {
      const destination = destinationOf(r);
      return {
        id: r.id,
        key: r.dedupe_key,
        operation: r.operation,
        status: r.status,
        attempts: r.attempts,
        channel: destination ? null : r.channel,
        target: targetOf(r, destination),
        kind: kindOf(r),
        reason: r.last_error,
        advice: deliveryAdvice(
          { status: r.status, reason: r.last_error, channel: r.channel, destination },
          options.label,
        ),
        createdAt: r.created_at,
      };
    }),
    failed: counts.failed,
    pending: counts.pending,
  };
}

const isVendorSource = (s: string | null): s is VendorSource =>
  s !== null && (VENDOR_SOURCES as readonly string[]).includes(s);

/** Where a note or an event goes; undefined for a Slack message (and for one whose payload was erased). */
function destinationOf(r: UndeliveredRow): OtherDestination | undefined {
  if (r.operation === 'webhook') return { kind: 'webhook' };
  if (r.operation === 'helpdesk_note' && isVendorSource(r.note_source)) {
    return { kind: 'helpdesk', source: r.note_source, ticketId: r.note_ticket ?? '?' };
  }
  return undefined;
}

function targetOf(r: UndeliveredRow, destination: OtherDestination | undefined): string | null {
  if (destination?.kind === 'helpdesk') return `${destination.source} ticket ${destination.ticketId}`;
  if (destination?.kind === 'webhook') return 'webhook';
  if (r.operation === 'helpdesk_note') return 'a help-desk ticket';
  return r.channel;
}

function kindOf(r: UndeliveredRow): string {
  if (r.operation === 'helpdesk_note') return 'note';
  if (r.operation === 'webhook') return r.event_type ? `event ${r.event_type}` : 'event';
  return r.operation;
}

/** What a retry did: the messages re-queued, and for the ids asked for that were not, why not. */
export interface RetryResult {
  requeued: RequeuedRow[];
  /** Ids asked for that exist but had not failed (already re-queued, waiting, or sent). */
  notFailed: { id: number; status: 'pending' | 'sent' | 'failed' }[];
  /** Ids asked for that do not exist. */
  unknown: number[];
}

/**
 * Re-queues failed messages, each exactly once however many operators retry at once (see requeueFailed).
 * One transaction, so the account of ids that were not re-queued matches what the UPDATE saw.
 */
export function retryFailedMessages(db: Kysely<Database>, selection: RequeueSelection): Promise<RetryResult> {
  return db.transaction().execute(async (trx): Promise<RetryResult> => {
    const requeued = await requeueFailed(trx, selection);
    if (!('ids' in selection)) return { requeued, notFailed: [], unknown: [] };
    const taken = new Set(requeued.map((r) => r.id));
    const others = selection.ids.filter((id) => !taken.has(id));
    const statuses = await findStatuses(trx, others);
    return {
      requeued,
      notFailed: others.flatMap((id) => {
        const status = statuses.get(id);
        return status ? [{ id, status }] : [];
      }),
      unknown: others.filter((id) => !statuses.has(id)),
    };
  });
}
