import type { Kysely, Transaction } from 'kysely';
import { isBusinessHours, type PersonalClock, personalClock } from '../calls/reminder.service';
import type { ActionRow, Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { ZoneOf } from '../people/profiles';
import { findAwayExecutives } from '../picks/pick.repository';
import { addDays } from '../shared/time';
import { buildActionMessage, buildActionReminder } from './action.blocks';
import {
  changeAction,
  findDueActionsOf,
  findFixChecksDue,
  findOwnersToRemind,
  insertReminder,
} from './action.repository';
import { actionKeys, loadActionCard, toAction } from './action.service';

/** How many actions of one run are asked "did the fix hold?"; the rest wait for the next run, minutes later. */
const FIX_CHECKS_PER_RUN = 50;
/** An overdue action is reminded again this many days after its last reminder. */
const REMIND_EVERY_DAYS = 7;

/** What one run of the action reminders queued. */
export interface ActionReminderReport {
  /** Reminder DMs: at most one per person per day. */
  reminders: number;
  /** "Did the fix hold?" questions. */
  fixChecks: number;
}

/**
 * The action reminders, in business hours (as the call reminders: calls/reminder.service's isBusinessHours) in each
 * owner's own Slack time zone (`zoneOf`, falling back to TIMEZONE): each owner with an action that came due on their
 * own date, or is overdue and was not reminded this past week, gets one DM listing all their due actions; and each
 * action done FIX_CHECK_DAYS ago gets its "did the fix hold?" question. Each goes out exactly once whatever the number
 * of instances running this. People who are away get theirs when back.
 */
export async function queueActionReminders(
  db: Kysely<Database>,
  settings: { timezone: string },
  now: Date,
  zoneOf?: ZoneOf,
): Promise<ActionReminderReport> {
  // Without personal zones nobody can be in business hours when TIMEZONE is not: skip the queries.
  if (!zoneOf && !isBusinessHours(now, settings.timezone)) return { reminders: 0, fixChecks: 0 };
  const clock = personalClock(now, settings.timezone, zoneOf);
  const away = await findAwayExecutives(db, clock.today);
  return {
    reminders: await remindOwners(db, { clock, away, now }),
    fixChecks: await askWhetherFixesHeld(db, { clock, away, now }),
  };
}

interface Run {
  clock: PersonalClock;
  away: ReadonlySet<string>;
  now: Date;
}

/** True when a DM to `userId` may go now: they are not away, and it is business hours where they are. */
async function mayRemind(run: Run, userId: string): Promise<boolean> {
  return !run.away.has(userId) && (await run.clock.inBusinessHours(userId));
}

async function remindOwners(db: Kysely<Database>, run: Run): Promise<number> {
  // Everyone who may be due somewhere; each owner is then checked again on their own date (remindOwner).
  const latest = run.clock.latestToday;
  const owners = await findOwnersToRemind(db, { today: latest, remindedSince: addDays(latest, 1 - REMIND_EVERY_DAYS) });
  let sent = 0;
  for (const ownerId of owners) {
    if (!(await mayRemind(run, ownerId))) continue;
    const today = await run.clock.todayOf(ownerId);
    if (await db.transaction().execute((trx) => remindOwner(trx, ownerId, today, run.now))) sent += 1;
  }
  return sent;
}

/**
 * Records today's reminder to `ownerId` (today: the owner's own date) in the ledger and queues it, in one
 * transaction: the ledger's primary key lets one instance send it, and the others (or a second run the same day)
 * queue nothing.
 */
async function remindOwner(trx: Transaction<Database>, ownerId: string, today: string, now: Date): Promise<boolean> {
  const stillDue = await findOwnersToRemind(trx, {
    today,
    remindedSince: addDays(today, 1 - REMIND_EVERY_DAYS),
    ownerId,
  });
  if (stillDue.length === 0) return false;
  const rows = await findDueActionsOf(trx, ownerId, today);
  if (rows.length === 0) return false;
  const recorded = await insertReminder(trx, {
    userId: ownerId,
    localDate: today,
    actionIds: rows.map((r) => r.id),
    now,
  });
  if (!recorded) return false;
  const cards = [];
  for (const row of rows) cards.push(await loadActionCard(trx, toAction(row)));
  await enqueueMessage(trx, actionKeys.reminder(ownerId, today), {
    operation: 'post',
    message: { channel: ownerId, ...buildActionReminder(cards, today) },
  });
  return true;
}

async function askWhetherFixesHeld(db: Kysely<Database>, run: Run): Promise<number> {
  const due = await findFixChecksDue(db, run.now, FIX_CHECKS_PER_RUN);
  let asked = 0;
  for (const row of due) {
    if (!(await mayRemind(run, row.owner_id))) continue;
    if (await db.transaction().execute((trx) => askFixCheck(trx, row, run.now))) asked += 1;
  }
  return asked;
}

/**
 * Claims the question (a conditional update on the revision read: only one instance gets the row back), then
 * queues it as the DM the owner now acts from.
 */
async function askFixCheck(trx: Transaction<Database>, row: ActionRow, now: Date): Promise<boolean> {
  const key = actionKeys.ownerMessage(row.id, row.revision + 1);
  const claimed = await changeAction(
    trx,
    row.id,
    { status: 'done', revision: row.revision },
    { fix_checked_at: now, owner_message_key: key },
    now,
  );
  if (!claimed) return false;
  const action = toAction(claimed);
  const card = await loadActionCard(trx, action);
  await enqueueMessage(trx, key, {
    operation: 'post',
    message: { channel: action.ownerId, ...buildActionMessage(card, action.ownerId) },
  });
  return true;
}
