import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Database } from '../db/schema';
import { DomainError } from '../shared/errors';
import { isRealDate } from '../shared/time';

/** Parses `YYYY-MM-DD..YYYY-MM-DD` (or a single date) into an inclusive range that does not end in the past. */
export function parseAwayRange(text: string, today: string): { start: string; end: string } {
  const match = /^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?$/.exec(text.trim());
  const start = match?.[1];
  const end = match?.[2] ?? start;
  if (!start || !end || !isRealDate(start) || !isRealDate(end)) {
    throw new DomainError('invalid_input', 'Give the dates as `/pickup away 2026-12-01..2026-12-05` (or one date).');
  }
  if (end < start) throw new DomainError('invalid_input', `The range ends (${end}) before it starts (${start}).`);
  if (end < today) throw new DomainError('invalid_input', `That range is already over (today is ${today}).`);
  return { start, end };
}

/** Marks an executive away for a range: not suggested, no reminders. */
export async function setAway(
  trx: Transaction<Database>,
  userId: string,
  range: { start: string; end: string },
): Promise<void> {
  await trx
    .insertInto('executive_away')
    .values({ user_id: userId, start_date: range.start, end_date: range.end })
    .execute();
  await recordAudit(trx, { actor: userId, action: 'away.set', details: range });
}

/** Ends every current and future away period of an executive; returns how many were changed. */
export async function clearAway(trx: Transaction<Database>, userId: string, today: string): Promise<number> {
  const yesterday = new Date(`${today}T00:00:00Z`);
  yesterday.setUTCDate(yesterday.getUTCDate() - 1);
  const y = yesterday.toISOString().slice(0, 10);
  // Periods that already started end yesterday; ones that have not started are dropped.
  const ended = await trx
    .updateTable('executive_away')
    .set({ end_date: y })
    .where('user_id', '=', userId)
    .where('start_date', '<', today)
    .where('end_date', '>=', today)
    .executeTakeFirst();
  const dropped = await trx
    .deleteFrom('executive_away')
    .where('user_id', '=', userId)
    .where('start_date', '>=', today)
    .executeTakeFirst();
  const n = Number(ended.numUpdatedRows) + Number(dropped.numDeletedRows);
  await recordAudit(trx, { actor: userId, action: 'away.cleared', details: { periods: n } });
  return n;
}

/** An executive's away periods that have not ended. */
export async function listAway(db: Kysely<Database>, userId: string, today: string) {
  return db
    .selectFrom('executive_away')
    .select(['start_date', 'end_date'])
    .where('user_id', '=', userId)
    .where('end_date', '>=', today)
    .orderBy('start_date')
    .execute();
}
