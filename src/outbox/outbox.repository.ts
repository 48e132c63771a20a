import { type Kysely, sql } from 'kysely';
import type { Database, Db, OutboxRow } from '../db/schema';
import type { OutboxMessage } from './outbox';

/**
 * Queues a message in the caller's transaction. Returns false when a message with this key already exists,
 * which is what makes reminders and re-runs idempotent. `holdSeconds` keeps it back that long (on the database's
 * clock, like leases) for a caller that may still complete it after the transaction (completeHeldMessage); if that
 * never happens, it goes as queued once the hold is over.
 */
export async function enqueueMessage(
  db: Db,
  dedupeKey: string,
  message: OutboxMessage,
  options: { holdSeconds?: number } = {},
): Promise<boolean> {
  const target = 'target' in message ? (message.target ?? null) : null;
  const hold = options.holdSeconds;
  const inserted = await db
    .insertInto('outbox')
    .values({
      dedupe_key: dedupeKey,
      operation: message.operation,
      payload: JSON.stringify(message),
      depends_on: target,
      ...(hold ? { next_attempt_at: sql<Date>`now() + make_interval(secs => ${hold})` } : {}),
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
 * so edits of one message apply in order. `only` restricts the lease to some operations (the others stay pending,
 * untouched: no attempt is counted), e.g. no Slack deliveries while Pickup is removed from the workspace.
 */
export async function leaseDueMessages(
  db: Kysely<Database>,
  limit: number,
  leaseSeconds: number,
  only?: readonly OutboxMessage['operation'][],
): Promise<OutboxRow[]> {
  if (only?.length === 0) return [];
  const operations = only ? sql`AND o.operation IN (${sql.join(only)})` : sql``;
  const result = await sql<OutboxRow>`
    UPDATE outbox SET leased_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE o.status = 'pending'
        AND o.next_attempt_at <= now()
        ${operations}
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

/**
 * Completes a message queued with a hold: replaces what it says and makes it due now, provided no worker has tried
 * it yet. False when it was already tried, sent or cancelled (an erasure), and the message as first queued stands.
 */
export async function completeHeldMessage(db: Db, dedupeKey: string, message: OutboxMessage): Promise<boolean> {
  const updated = await db
    .updateTable('outbox')
    .set({ payload: JSON.stringify(message), next_attempt_at: sql<Date>`now()` })
    .where('dedupe_key', '=', dedupeKey)
    .where('operation', '=', message.operation)
    .where('status', '=', 'pending')
    // A lease counts an attempt, so zero means no worker holds it or has held it: the new payload is what goes.
    .where('attempts', '=', 0)
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

/** Records a delivery, with where it landed. */
export async function markSent(db: Db, id: number, posted: { channel: string; ts: string } | undefined): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'sent',
      // Delivery bookkeeping on the real clock, like the leases the database stamps with its own now().
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

/**
 * A message that failed or waits, with where it goes: the channel (its own, or that of the post it edits), the
 * help-desk ticket, or the event type for the webhook.
 */
export interface UndeliveredRow {
  id: number;
  dedupe_key: string;
  operation: string;
  status: 'pending' | 'failed';
  attempts: number;
  last_error: string | null;
  depends_on: string | null;
  channel: string | null;
  /** A help-desk note's vendor and ticket id; null for other messages. */
  note_source: string | null;
  note_ticket: string | null;
  /** A webhook event's type; null for other messages. */
  event_type: string | null;
  created_at: Date;
  next_attempt_at: Date;
}

/** Failed messages first, then waiting ones, oldest first within each; at most `limit`; only `key` when given. */
export async function listUndelivered(
  db: Db,
  options: { failedOnly: boolean; limit: number; key?: string },
): Promise<UndeliveredRow[]> {
  const statuses = options.failedOnly ? ['failed'] : ['failed', 'pending'];
  const byKey = options.key === undefined ? sql`` : sql`AND o.dedupe_key = ${options.key}`;
  const result = await sql<UndeliveredRow>`
    SELECT o.id, o.dedupe_key, o.operation, o.status, o.attempts, o.last_error, o.depends_on,
           o.created_at, o.next_attempt_at,
           COALESCE(o.payload -> 'message' ->> 'channel', o.payload -> 'file' ->> 'channel',
                    t.result_channel, t.payload -> 'message' ->> 'channel') AS channel,
           o.payload ->> 'source' AS note_source, o.payload ->> 'ticketId' AS note_ticket,
           o.payload -> 'event' ->> 'type' AS event_type
    FROM outbox o
    LEFT JOIN outbox t ON t.dedupe_key = o.depends_on
    WHERE o.status = ANY(${statuses}::text[]) ${byKey}
    ORDER BY (o.status = 'failed') DESC, o.id
    LIMIT ${options.limit}`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Which failed messages to re-queue: by id, by dedupe key, or all of them. */
export type RequeueSelection = { ids: readonly number[] } | { keys: readonly string[] } | { allFailed: true };

/** A message put back in the queue; `via` is the key of the re-queued post it edits or replies to, if that was why. */
export interface RequeuedRow {
  id: number;
  dedupe_key: string;
  last_error: string | null;
  via: string | null;
}

/**
 * Puts failed messages back in the queue with a fresh attempt budget, each exactly once however many operators
 * ask at once: the UPDATE takes only rows still failed, so a concurrent second one waits on the row lock, then
 * finds them pending and takes nothing. Failed edits, replies and files aimed at a re-queued post come back
 * with it; they wait for it again, in order.
 */
export async function requeueFailed(db: Db, selection: RequeueSelection): Promise<RequeuedRow[]> {
  const filter =
    'ids' in selection
      ? sql`id = ANY(${selection.ids.map(Number)}::bigint[])`
      : 'keys' in selection
        ? sql`dedupe_key = ANY(${[...selection.keys]}::text[])`
        : sql`true`;
  const result = await sql<RequeuedRow>`
    WITH chosen AS (SELECT id, dedupe_key FROM outbox WHERE status = 'failed' AND ${filter})
    UPDATE outbox o
    SET status = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL
    WHERE o.status = 'failed'
      AND (o.id IN (SELECT id FROM chosen) OR o.depends_on IN (SELECT dedupe_key FROM chosen))
    RETURNING o.id, o.dedupe_key, o.last_error,
      CASE WHEN o.id IN (SELECT id FROM chosen) THEN NULL ELSE o.depends_on END AS via`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

/**
 * Sends a waiting channel post somewhere else, for a post re-queued after its channel was fixed in the settings.
 * Only a pending `post` moves: a sent one already landed, and a failed one is retried where it was addressed.
 */
export async function readdressPendingPost(db: Db, dedupeKey: string, channel: string): Promise<void> {
  await sql`
    UPDATE outbox SET payload = jsonb_set(payload, '{message,channel}', to_jsonb(${channel}::text))
    WHERE dedupe_key = ${dedupeKey} AND operation = 'post' AND status = 'pending'`.execute(db);
}

/** The state of one message by its dedupe key, for a caller deciding whether to re-queue it. */
export async function findByKey(
  db: Db,
  dedupeKey: string,
): Promise<Pick<OutboxRow, 'id' | 'status' | 'attempts' | 'last_error'> | undefined> {
  return db
    .selectFrom('outbox')
    .select(['id', 'status', 'attempts', 'last_error'])
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
}

/** How many messages failed for good, and the reason of the newest of them, for /healthz. */
export async function summarizeFailures(db: Db): Promise<{ failed: number; lastError: string | null }> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [
      eb.fn.countAll<string>().as('failed'),
      eb
        .selectFrom('outbox as f')
        .select('f.last_error')
        .where('f.status', '=', 'failed')
        .orderBy('f.id', 'desc')
        .limit(1)
        .as('last_error'),
    ])
    .where('status', '=', 'failed')
    .executeTakeFirstOrThrow();
  return { failed: Number(row.failed), lastError: row.last_error ?? null };
}

/** The status of several messages by id (ids that do not exist are absent). */
export async function findStatuses(db: Db, ids: readonly number[]): Promise<Map<number, OutboxRow['status']>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'status'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.status]));
}
