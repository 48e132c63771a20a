import { type Kysely, sql } from 'kysely';

/**
 * What the actions lifecycle needs to edit its own Slack messages and to send each change once:
 * - `revision` counts the changes of an action (reassigned, closed, reopened). Each change's messages and event are
 *   queued under keys that carry it, so a second reassignment is a new message, and a retried transaction is not.
 * - `owner_message_key` is the outbox key of the DM the owner acts from (the first DM, the new owner's after a
 *   reassignment, the "did the fix hold?" question). Closing or reassigning edits that message, wherever it landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE actions ADD COLUMN revision integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE actions ADD COLUMN owner_message_key text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE actions DROP COLUMN IF EXISTS owner_message_key`.execute(db);
  await sql`ALTER TABLE actions DROP COLUMN IF EXISTS revision`.execute(db);
}
