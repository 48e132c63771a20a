import type { Kysely, Transaction } from 'kysely';
import { toComplaint } from '../complaints/complaint.service';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { buildUnclaimedReminder } from '../picks/pick.blocks';
import { findAwayExecutives } from '../picks/pick.repository';
import { pickPostKey } from '../picks/pick.service';
import { DAY_MS, dateInZone, partsInZone } from '../shared/time';
import { buildEvidenceRequest, buildFollowUpReminder, buildNoAttemptReminder } from './claim.blocks';
import {
  findDueFollowUps,
  findIdleClaims,
  findReachedAwaitingEvidence,
  findUnclaimedPicks,
} from './reminder.repository';

/** Settings the reminders follow. */
export interface ReminderSettings {
  timezone: string;
  claimReminderHours: number;
  followupDays: number;
}

/** How many reminders of each kind one run queued. */
export interface ReminderReport {
  unclaimed: number;
  noAttempt: number;
  followUp: number;
  evidence: number;
}

/** Reminders go out on weekdays between 09:00 and 18:00 in TIMEZONE. */
export function isBusinessHours(now: Date, timezone: string): boolean {
  const { hour, weekday } = partsInZone(now, timezone);
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
}

const HOUR_MS = 3_600_000;
/** Picks older than this are history, not something to nag about. */
const UNCLAIMED_LOOKBACK_DAYS = 7;
/** A claim this old without a logged call earns its holder a nudge. */
const NO_ATTEMPT_AFTER_MS = DAY_MS;
/** A follow-up older than half a year would surprise more than help. */
const EVIDENCE_LOOKBACK_DAYS = 180;

/** What every kind of reminder is judged against in one run. */
interface DueContext {
  settings: ReminderSettings;
  now: Date;
  /** Today's date in the settings' time zone. */
  today: string;
  /** Executives away today: they get no reminder and are not suggested. */
  away: ReadonlySet<string>;
}

/**
 * Queues every reminder that is due. Each has a dedupe key, so running this on every instance, every few
 * minutes, sends each reminder once. Executives who are away today get none.
 */
export async function queueDueReminders(
  db: Kysely<Database>,
  settings: ReminderSettings,
  now: Date,
): Promise<ReminderReport> {
  if (!isBusinessHours(now, settings.timezone)) return { unclaimed: 0, noAttempt: 0, followUp: 0, evidence: 0 };
  const today = dateInZone(now, settings.timezone);
  return db.transaction().execute(async (trx) => {
    const due: DueContext = { settings, now, today, away: await findAwayExecutives(trx, today) };
    return {
      unclaimed: await queueUnclaimedReminders(trx, due),
      noAttempt: await queueNoAttemptReminders(trx, due),
      followUp: await queueFollowUpReminders(trx, due),
      evidence: await queueEvidenceRequests(trx, due),
    };
  });
}

/** Replies under each pick post nobody claimed within `claimReminderHours`, naming the suggestion if not away. */
async function queueUnclaimedReminders(trx: Transaction<Database>, due: DueContext): Promise<number> {
  const picks = await findUnclaimedPicks(trx, {
    createdBefore: new Date(due.now.getTime() - due.settings.claimReminderHours * HOUR_MS),
    createdSince: new Date(due.now.getTime() - UNCLAIMED_LOOKBACK_DAYS * DAY_MS),
  });
  let queued = 0;
  for (const p of picks) {
    const suggested = p.suggested_exec && !due.away.has(p.suggested_exec) ? p.suggested_exec : null;
    const isNew = await enqueueMessage(trx, `reminder:unclaimed:${p.id}`, {
      operation: 'reply',
      target: pickPostKey(p.pick_date),
      message: buildUnclaimedReminder(due.settings.claimReminderHours, suggested),
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/** DMs each executive holding a day-old claim with no call logged. */
async function queueNoAttemptReminders(trx: Transaction<Database>, due: DueContext): Promise<number> {
  const idle = await findIdleClaims(trx, new Date(due.now.getTime() - NO_ATTEMPT_AFTER_MS));
  let queued = 0;
  for (const c of idle) {
    if (due.away.has(c.claimed_by)) continue;
    const isNew = await enqueueMessage(trx, `reminder:no-attempt:${c.id}`, {
      operation: 'post',
      message: { channel: c.claimed_by, ...buildNoAttemptReminder(c.subject, c.id) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/** DMs each executive whose last attempt on an open claim set a follow-up date that has come. */
async function queueFollowUpReminders(trx: Transaction<Database>, due: DueContext): Promise<number> {
  const followUps = await findDueFollowUps(trx, due.today);
  let queued = 0;
  for (const f of followUps) {
    if (due.away.has(f.claimed_by) || !f.follow_up_date) continue;
    const isNew = await enqueueMessage(trx, `reminder:follow-up:${f.id}`, {
      operation: 'post',
      message: { channel: f.claimed_by, ...buildFollowUpReminder(f.subject, f.claim_id, f.follow_up_date) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/** `followupDays` after a customer was reached, asks the executive whether they now promote us. */
async function queueEvidenceRequests(trx: Transaction<Database>, due: DueContext): Promise<number> {
  const reached = await findReachedAwaitingEvidence(trx, {
    reachedBefore: new Date(due.now.getTime() - due.settings.followupDays * DAY_MS),
    reachedSince: new Date(due.now.getTime() - EVIDENCE_LOOKBACK_DAYS * DAY_MS),
  });
  let queued = 0;
  for (const r of reached) {
    if (due.away.has(r.executive)) continue;
    const isNew = await enqueueMessage(trx, `followup:${r.id}`, {
      operation: 'post',
      message: { channel: r.executive, ...buildEvidenceRequest(toComplaint(r), due.settings.followupDays) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}
