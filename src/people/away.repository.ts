import type { Selectable } from 'kysely';
import type { Db, ExecutiveAwayTable } from '../db/schema';

/** One away period as listed: its inclusive YYYY-MM-DD dates. */
export type AwayPeriodRow = Pick<Selectable<ExecutiveAwayTable>, 'start_date' | 'end_date'>;

/** Records one away period (inclusive YYYY-MM-DD dates) of an executive. */
export async function insertAwayPeriod(db: Db, userId: string, range: { start: string; end: string }): Promise<void> {
  await db
    .insertInto('executive_away')
    .values({ user_id: userId, start_date: range.start, end_date: range.end })
    .execute();
}

/** Makes the executive's periods that started before `today` and run through it end on `endDate`; returns how many. */
export async function endCurrentAwayPeriods(db: Db, userId: string, today: string, endDate: string): Promise<number> {
  const result = await db
    .updateTable('executive_away')
    .set({ end_date: endDate })
    .where('user_id', '=', userId)
    .where('start_date', '<', today)
    .where('end_date', '>=', today)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the executive's periods that start on or after `today`; returns how many. */
export async function deleteAwayPeriodsFrom(db: Db, userId: string, today: string): Promise<number> {
  const result = await db
    .deleteFrom('executive_away')
    .where('user_id', '=', userId)
    .where('start_date', '>=', today)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An executive's away periods that have not ended by `today`, earliest first. */
export async function findAwayPeriodsFrom(db: Db, userId: string, today: string): Promise<AwayPeriodRow[]> {
  return db
    .selectFrom('executive_away')
    .select(['start_date', 'end_date'])
    .where('user_id', '=', userId)
    .where('end_date', '>=', today)
    .orderBy('start_date')
    .execute();
}
