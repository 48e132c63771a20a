import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Database } from '../db/schema';
import { DomainError } from '../shared/errors';
import { addDays, isRealDate } from '../shared/time';
import {
  type AwayPeriodRow,
  deleteAwayPeriodsFrom,
  endCurrentAwayPeriods,
  findAwayPeriodsFrom,
  insertAwayPeriod,
} from './away.repository';

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
  await insertAwayPeriod(trx, userId, range);
  await recordAudit(trx, { actor: userId, action: 'away.set', details: range });
}

/** Ends every current and future away period of an executive; returns how many were changed. */
export async function clearAway(trx: Transaction<Database>, userId: string, today: string): Promise<number> {
  // Periods that already started end yesterday; ones that have not started are dropped.
  const ended = await endCurrentAwayPeriods(trx, userId, today, addDays(today, -1));
  const dropped = await deleteAwayPeriodsFrom(trx, userId, today);
  const n = ended + dropped;
  await recordAudit(trx, { actor: userId, action: 'away.cleared', details: { periods: n } });
  return n;
}

/** An executive's away periods that have not ended. */
export async function listAway(db: Kysely<Database>, userId: string, today: string): Promise<AwayPeriodRow[]> {
  return findAwayPeriodsFrom(db, userId, today);
}
