import { toComplaint } from '../complaints/complaint.service';
import type { Db } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { ZoneOf } from '../people/profiles';
import { buildUnclaimedReminder } from '../picks/pick.blocks';
import { findAwayExecutives } from '../picks/pick.repository';
import { pickPostKey } from '../picks/pick.service';
import { addDays, DAY_MS, dateInZone, partsInZone } from '../shared/time';
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

/** Reminders go out on weekdays between 09:00 and 18:00 in a zone: the recipient's own, or TIMEZONE. */
export function isBusinessHours(now: Date, timezone: string): boolean {
  const { hour, weekday } = partsInZone(now, timezone);
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
}

/** Each recipient's local time at one moment: a DM reaches a person in their own business hours, on their own day. */
export interface PersonalClock {
  /** TIMEZONE's date: for what is not one person's (a channel's reply, away dates). */
  readonly today: string;
  /** The person's zone: their Slack profile's, or TIMEZONE when Slack does not say. */
  zoneOf(userId: string): Promise<string>;
  /** True in the person's business hours, in their zone. */
  inBusinessHours(userId: string): Promise<boolean>;
  /** The person's date, in their zone. */
  todayOf(userId: string): Promise<string>;
  /** The latest date anyone can be on now: what a query asks for before each person is checked on their own date. */
  readonly latestToday: string;
}

/**
 * The clock of one reminder run. Each person's zone is asked once a run (and `zoneOf`, the profile directory, caches
 * it across runs); without `zoneOf`, everyone is on TIMEZONE.
 */
export function personalClock(now: Date, timezone: string, zoneOf?: ZoneOf): PersonalClock {
  const zones = new Map<string, Promise<string>>();
  const zone = (userId: string) => {
    let z = zones.get(userId);
    if (!z) {
      z = zoneOf ? zoneOf(userId).then((found) => found ?? timezone) : Promise.resolve(timezone);
      zones.set(userId, z);
    }
    return z;
  };
  const today = dateInZone(now, timezone);
  return {
    today,
    // Zones span 26 hours (UTC-12 to UTC+14), so nobody's date is more than two days past TIMEZONE's.
    latestToday: zoneOf ? addDays(today, 2) : today,
    zoneOf: zone,
    inBusinessHours: async (userId) => isBusinessHours(now, await zone(userId)),
    todayOf: async (userId) => dateInZone(now, await zone(userId)),
  };
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
  /** Each recipient's local time: DMs go out in their business hours. */
  clock: PersonalClock;
  /** Executives away today: they get no reminder and are not suggested. */
  away: ReadonlySet<string>;
}

/**
 * Queues every reminder that is due. Each has a dedupe key, so running this on every instance, every few
 * minutes, sends each reminder once. A DM waits for its recipient's business hours in their own Slack time zone
 * (`zoneOf`, falling back to TIMEZONE); a reply in the executives' channel, for TIMEZONE's. Executives who are away
 * today get none. No transaction spans the run: a zone may take a users.info, and each message is one idempotent
 * insert anyway.
 */
export async function queueDueReminders(
  db: Db,
  settings: ReminderSettings,
  now: Date,
  zoneOf?: ZoneOf,
): Promise<ReminderReport> {
  const clock = personalClock(now, settings.timezone, zoneOf);
  // Without personal zones nobody can be in business hours when TIMEZONE is not: skip the queries.
  if (!zoneOf && !isBusinessHours(now, settings.timezone))
    return { unclaimed: 0, noAttempt: 0, followUp: 0, evidence: 0 };
  const due: DueContext = { settings, now, clock, away: await findAwayExecutives(db, clock.today) };
  return {
    unclaimed: isBusinessHours(now, settings.timezone) ? await queueUnclaimedReminders(db, due) : 0,
    noAttempt: await queueNoAttemptReminders(db, due),
    followUp: await queueFollowUpReminders(db, due),
    evidence: await queueEvidenceRequests(db, due),
  };
}

/** True when a DM to `userId` may go now: they are not away, and it is business hours where they are. */
async function mayRemind(due: DueContext, userId: string): Promise<boolean> {
  return !due.away.has(userId) && (await due.clock.inBusinessHours(userId));
}

/** Replies under each pick post nobody claimed within `claimReminderHours`, naming the suggestion if not away. */
async function queueUnclaimedReminders(db: Db, due: DueContext): Promise<number> {
  const picks = await findUnclaimedPicks(db, {
    createdBefore: new Date(due.now.getTime() - due.settings.claimReminderHours * HOUR_MS),
    createdSince: new Date(due.now.getTime() - UNCLAIMED_LOOKBACK_DAYS * DAY_MS),
  });
  let queued = 0;
  for (const p of picks) {
    const suggested = p.suggested_exec && !due.away.has(p.suggested_exec) ? p.suggested_exec : null;
    const isNew = await enqueueMessage(db, `reminder:unclaimed:${p.id}`, {
      operation: 'reply',
      target: pickPostKey(p.pick_date),
      message: buildUnclaimedReminder(due.settings.claimReminderHours, suggested),
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/** DMs each executive holding a day-old claim with no call logged. */
async function queueNoAttemptReminders(db: Db, due: DueContext): Promise<number> {
  const idle = await findIdleClaims(db, new Date(due.now.getTime() - NO_ATTEMPT_AFTER_MS));
  let queued = 0;
  for (const c of idle) {
    if (!(await mayRemind(due, c.claimed_by))) continue;
    const isNew = await enqueueMessage(db, `reminder:no-attempt:${c.id}`, {
      operation: 'post',
      message: { channel: c.claimed_by, ...buildNoAttemptReminder(c.subject, c.id) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/**
 * DMs each executive whose last attempt on an open claim set a follow-up date that has come where they are: the
 * date they picked is a day in their own calendar.
 */
async function queueFollowUpReminders(db: Db, due: DueContext): Promise<number> {
  const followUps = await findDueFollowUps(db, due.clock.latestToday);
  let queued = 0;
  for (const f of followUps) {
    if (!f.follow_up_date || !(await mayRemind(due, f.claimed_by))) continue;
    if (f.follow_up_date > (await due.clock.todayOf(f.claimed_by))) continue;
    const isNew = await enqueueMessage(db, `reminder:follow-up:${f.id}`, {
      operation: 'post',
      message: { channel: f.claimed_by, ...buildFollowUpReminder(f.subject, f.claim_id, f.follow_up_date) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}

/** `followupDays` after a customer was reached, asks the executive whether they now promote us. */
async function queueEvidenceRequests(db: Db, due: DueContext): Promise<number> {
  const reached = await findReachedAwaitingEvidence(db, {
    reachedBefore: new Date(due.now.getTime() - due.settings.followupDays * DAY_MS),
    reachedSince: new Date(due.now.getTime() - EVIDENCE_LOOKBACK_DAYS * DAY_MS),
  });
  let queued = 0;
  for (const r of reached) {
    if (!(await mayRemind(due, r.executive))) continue;
    const isNew = await enqueueMessage(db, `followup:${r.id}`, {
      operation: 'post',
      message: { channel: r.executive, ...buildEvidenceRequest(toComplaint(r), due.settings.followupDays) },
    });
    if (isNew) queued += 1;
  }
  return queued;
}
