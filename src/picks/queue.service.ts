import type { Kysely } from 'kysely';
import type { Complaint } from '../complaints/complaint';
import { toComplaint } from '../complaints/complaint.service';
import type { Database } from '../db/schema';
import type { EligibilityWindow } from './eligibility';
import { findNewestEligible } from './pick.repository';

/** How many complaints `/pickup queue` lists (the contract asks for at least 10). */
export const QUEUE_SIZE = 10;

/** `/pickup queue`: the newest complaints eligible for a call, and how many are eligible in all. */
export async function listQueue(
  db: Kysely<Database>,
  window: EligibilityWindow,
): Promise<{ complaints: Complaint[]; total: number }> {
  const { rows, total } = await findNewestEligible(db, window, QUEUE_SIZE);
  return { complaints: rows.map(toComplaint), total };
}
