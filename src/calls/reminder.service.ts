import type { Kysely } from 'kysely';
import { toComplaint } from '../complaints/complaint.service';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { buildUnclaimedReminder } from '../picks/pick.blocks';
import { findAwayExecutives } from '../picks/pick.repository';
import { pickPostKey } from '../picks/pick.service';
import { dateInZone, partsInZone } from '../shared/time';
import { buildEvidenceRequest, buildFollowUpReminder, buildNoAttemptReminder } from './claim.blocks';

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

/**
 * Queues every reminder that is due. Each has a dedupe key, so running this on every instance, every few
 * minutes, sends each reminder once. Executives who are away today get none.
 */
export async function queueDueReminders(
  db: Kysely<Database>,
  settings: ReminderSettings,
  now: Date,
): Promise<ReminderReport> {
  const report: ReminderReport = { unclaimed: 0, noAttempt: 0, followUp: 0, evidence: 0 };
  if (!isBusinessHours(now, settings.timezone)) return report;
  const today = dateInZone(now, settings.timezone);
  return db.transaction().execute(async (trx) => {
    const away = await findAwayExecutives(trx, today);

    const unclaimed = await trx
      .selectFrom('picks as p')
      .select(['p.id', 'p.pick_date', 'p.suggested_exec'])
      .where('p.complaint_id', 'is not', null)
      .where('p.created_at', '<=', new Date(now.getTime() - settings.claimReminderHours * HOUR_MS))
      .where('p.created_at', '>=', new Date(now.getTime() - UNCLAIMED_LOOKBACK_DAYS * 24 * HOUR_MS))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('claims as c')
              .select('c.id')
              .whereRef('c.complaint_id', '=', 'p.complaint_id')
              .where('c.status', 'in', ['open', 'closed']),
          ),
        ),
      )
      .execute();
    for (const p of unclaimed) {
      const suggested = p.suggested_exec && !away.has(p.suggested_exec) ? p.suggested_exec : null;
      const queued = await enqueueMessage(trx, `reminder:unclaimed:${p.id}`, {
        operation: 'reply',
        target: pickPostKey(p.pick_date),
        message: buildUnclaimedReminder(settings.claimReminderHours, suggested),
      });
      if (queued) report.unclaimed += 1;
    }

    const idle = await trx
      .selectFrom('claims as c')
      .innerJoin('complaints as co', 'co.id', 'c.complaint_id')
      .select(['c.id', 'c.claimed_by', 'co.subject'])
      .where('c.status', '=', 'open')
      .where('c.claimed_at', '<=', new Date(now.getTime() - 24 * HOUR_MS))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('call_attempts as a').select('a.id').whereRef('a.claim_id', '=', 'c.id'))),
      )
      .execute();
    for (const c of idle) {
      if (away.has(c.claimed_by)) continue;
      const queued = await enqueueMessage(trx, `reminder:no-attempt:${c.id}`, {
        operation: 'post',
        message: { channel: c.claimed_by, ...buildNoAttemptReminder(c.subject, c.id) },
      });
      if (queued) report.noAttempt += 1;
    }

    // The latest attempt of each open claim decides whether a follow-up is due.
    const followUps = await trx
      .selectFrom('call_attempts as a')
      .innerJoin('claims as c', 'c.id', 'a.claim_id')
      .innerJoin('complaints as co', 'co.id', 'a.complaint_id')
      .select(['a.id', 'a.follow_up_date', 'c.id as claim_id', 'c.claimed_by', 'co.subject'])
      .where('c.status', '=', 'open')
      .where('a.follow_up_date', '<=', today)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('call_attempts as later')
              .select('later.id')
              .whereRef('later.claim_id', '=', 'a.claim_id')
              .whereRef('later.id', '>', 'a.id'),
          ),
        ),
      )
      .execute();
    for (const f of followUps) {
      if (away.has(f.claimed_by) || !f.follow_up_date) continue;
      const queued = await enqueueMessage(trx, `reminder:follow-up:${f.id}`, {
        operation: 'post',
        message: { channel: f.claimed_by, ...buildFollowUpReminder(f.subject, f.claim_id, f.follow_up_date) },
      });
      if (queued) report.followUp += 1;
    }

    const reached = await trx
      .selectFrom('call_attempts as a')
      .innerJoin('complaints as co', 'co.id', 'a.complaint_id')
      .selectAll('co')
      .select(['a.executive'])
      .where('a.outcome', '=', 'reached')
      .where('a.created_at', '<=', new Date(now.getTime() - settings.followupDays * 24 * HOUR_MS))
      .where('co.pii_erased_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('advocacy_evidence as e')
              .select('e.id')
              .whereRef('e.complaint_id', '=', 'a.complaint_id')
              .where('e.source', '=', 'followup'),
          ),
        ),
      )
      // A follow-up older than half a year would surprise more than help.
      .where('a.created_at', '>=', new Date(now.getTime() - 180 * 24 * HOUR_MS))
      .execute();
    for (const r of reached) {
      if (away.has(r.executive)) continue;
      const queued = await enqueueMessage(trx, `followup:${r.id}`, {
        operation: 'post',
        message: { channel: r.executive, ...buildEvidenceRequest(toComplaint(r), settings.followupDays) },
      });
      if (queued) report.evidence += 1;
    }
    return report;
  });
}
