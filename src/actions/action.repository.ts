import { sql, type Transaction, type Updateable } from 'kysely';
import type { ActionRow, ActionsTable, Database, Db, NewActionRow } from '../db/schema';

/**
 * Inserts an action. Returns undefined when its call attempt already has one (UNIQUE(attempt_id)), so a
 * re-submitted outcome never opens a second.
 */
export async function insertAction(db: Db, row: NewActionRow): Promise<ActionRow | undefined> {
  return db
    .insertInto('actions')
    .values(row)
    .onConflict((oc) => oc.column('attempt_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Records the outbox key of the DM the owner acts from. */
export async function setOwnerMessageKey(db: Db, actionId: number, key: string): Promise<void> {
  await db.updateTable('actions').set({ owner_message_key: key }).where('id', '=', actionId).execute();
}

/** One action. */
export async function findActionById(db: Db, actionId: number): Promise<ActionRow | undefined> {
  return db.selectFrom('actions').selectAll().where('id', '=', actionId).executeTakeFirst();
}

/** One action, locked until the transaction ends, so a change is decided on what it is now. */
export async function lockAction(trx: Transaction<Database>, actionId: number): Promise<ActionRow | undefined> {
  return trx.selectFrom('actions').selectAll().where('id', '=', actionId).forUpdate().executeTakeFirst();
}

/** What a change expects the action to be: the status and revision it was decided on. */
export interface ExpectedState {
  status: ActionRow['status'];
  revision: number;
}

/**
 * Applies `changes` only if the action is still as `expected` (status and revision), bumping its revision:
 * of two people clicking at once, one changes it and the other gets undefined. Returns the changed row.
 */
export async function changeAction(
  db: Db,
  actionId: number,
  expected: ExpectedState,
  changes: Updateable<ActionsTable>,
  now: Date,
): Promise<ActionRow | undefined> {
  return db
    .updateTable('actions')
    .set({ ...changes, revision: expected.revision + 1, updated_at: now })
    .where('id', '=', actionId)
    .where('status', '=', expected.status)
    .where('revision', '=', expected.revision)
    .returningAll()
    .executeTakeFirst();
}

/** Done actions whose "did the fix hold?" question is due and not yet asked, oldest first. */
export async function findFixChecksDue(db: Db, now: Date, limit: number): Promise<ActionRow[]> {
  return db
    .selectFrom('actions')
    .selectAll()
    .where('status', '=', 'done')
    .where('fix_checked_at', 'is', null)
    .where('fix_check_due_at', '<=', now)
    .orderBy('fix_check_due_at')
    .limit(limit)
    .execute();
}

/**
 * Owners with an open action due on or before `today` that was not in a reminder to them since `remindedSince`
 * (a local date): those who get a reminder today. An action is reminded when it comes due, then weekly. With
 * `ownerId`, whether that owner is one of them.
 */
export async function findOwnersToRemind(
  db: Db,
  window: { today: string; remindedSince: string; ownerId?: string },
): Promise<string[]> {
  const rows = await db
    .selectFrom('actions as a')
    .select('a.owner_id')
    .distinct()
    .where('a.status', '=', 'open')
    .$if(window.ownerId !== undefined, (q) => q.where('a.owner_id', '=', window.ownerId ?? ''))
    .where('a.due_date', '<=', window.today)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('action_reminders as r')
            .select('r.user_id')
            .whereRef('r.user_id', '=', 'a.owner_id')
            .where('r.local_date', '>=', window.remindedSince)
            .where(sql<boolean>`a.id = ANY(r.action_ids)`),
        ),
      ),
    )
    .orderBy('a.owner_id')
    .execute();
  return rows.map((r) => r.owner_id);
}

/** An owner's open actions due on or before `today`, most overdue first. */
export async function findDueActionsOf(db: Db, ownerId: string, today: string): Promise<ActionRow[]> {
  return db
    .selectFrom('actions')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('status', '=', 'open')
    .where('due_date', '<=', today)
    .orderBy('due_date')
    .orderBy('id')
    .execute();
}

/**
 * Records today's reminder to `userId`. Returns false when one was already recorded for that local day: the
 * primary key (user_id, local_date) decides, across instances, who sends it.
 */
export async function insertReminder(
  db: Db,
  reminder: { userId: string; localDate: string; actionIds: number[]; now: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('action_reminders')
    .values({
      user_id: reminder.userId,
      local_date: reminder.localDate,
      action_ids: reminder.actionIds,
      sent_at: reminder.now,
    })
    .onConflict((oc) => oc.columns(['user_id', 'local_date']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
