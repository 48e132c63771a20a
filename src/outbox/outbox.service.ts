import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { type ChannelLabel, deliveryAdvice } from './outbox.advice';
import {
  countOutbox,
  findStatuses,
  listUndelivered,
  type RequeuedRow,
  type RequeueSelection,
  requeueFailed,
} from './outbox.repository';

/** A message that failed or waits, with why and what to do about it. */
export interface UndeliveredMessage {
  id: number;
  key: string;
  operation: string;
  status: 'pending' | 'failed';
  attempts: number;
  channel: string | null;
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
    items: rows.map((r) => ({
      id: r.id,
      key: r.dedupe_key,
      operation: r.operation,
      status: r.status,
      attempts: r.attempts,
      channel: r.channel,
      reason: r.last_error,
      advice: deliveryAdvice({ status: r.status, reason: r.last_error, channel: r.channel }, options.label),
      createdAt: r.created_at,
    })),
    failed: counts.failed,
    pending: counts.pending,
  };
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
