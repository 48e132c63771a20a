import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, OutboxRow } from '../db/schema';
import type { OutboxMessage } from './outbox';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Queues a message in the caller's transaction. Returns false when a message with this key already exists,
 * which is what makes reminders and re-runs idempotent.
 */
export async function enqueueMessage(db: Db, dedupeKey: string, message: OutboxMessage): Promise<boolean> {
  const target = 'target' in message ? (message.target ?? null) : null;
  const inserted = await db
    .insertInto('outbox')
    .values({
      dedupe_key: dedupeKey,
      operation: message.operation,
      payload: JSON.stringify(message),
      depends_on: target,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Leases up to `limit` due messages for this worker. SKIP LOCKED lets several instances drain at once
 * without ever taking the same row; the lease keeps it theirs while the Slack call is in flight.
 * A message waits while its target post is unsent, and while an older message for the same target is pending,
 * so edits of one message apply in order.
 */
export async function leaseDueMessages(
  db: Kysely<Database>,
  limit: number,
  leaseSeconds: number,
): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`
    UPDATE outbox SET leased_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE o.status = 'pending'
        AND o.next_attempt_at <= now()
        AND (o.leased_until IS NULL OR o.leased_until < now())
        AND (o.depends_on IS NULL OR EXISTS (
          SELECT 1 FROM outbox t WHERE t.dedupe_key = o.depends_on AND t.status <> 'pending'))
        AND NOT EXISTS (
          SELECT 1 FROM outbox e WHERE e.depends_on = o.depends_on AND e.status = 'pending' AND e.id < o.id)
      ORDER BY o.id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(db);
  return result.rows;
}

/** Where the message a dedupe key names was posted, once it has been. */
export async function findPosted(
  db: Db,
  dedupeKey: string,
): Promise<{ status: OutboxRow['status']; channel: string | null; ts: string | null } | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select(['status', 'result_channel', 'result_ts'])
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  return row && { status: row.status, channel: row.result_channel, ts: row.result_ts };
}

/** Records a delivery, with where it landed. */
export async function markSent(db: Db, id: number, posted: { channel: string; ts: string } | undefined): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: new Date(),
      leased_until: null,
      last_error: null,
      result_channel: posted?.channel ?? null,
      result_ts: posted?.ts ?? null,
    })
    .where('id', '=', id)
    .execute();
}

/** Puts a message back in the queue until `at`. */
export async function scheduleRetry(db: Db, id: number, at: Date, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: at, leased_until: null, last_error: error.slice(0, 1000) })
    .where('id', '=', id)
    .execute();
}

/** Gives up on a message for good. */
export async function markFailed(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', leased_until: null, last_error: error.slice(0, 1000) })
    .where('id', '=', id)
    .execute();
}

/** Counts by status, for health and tests. */
export async function countOutbox(db: Db): Promise<Record<'pending' | 'sent' | 'failed', number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', db.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const counts = { pending: 0, sent: 0, failed: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
