import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { listOpenClaimsBy } from './claim.repository';

/** How many open calls `/pickup mine` lists: its message stays well under Slack's 50 blocks. */
export const MINE_LIMIT = 40;

/** One open call as `/pickup mine` shows it: the claim, its complaint's subject and customer, and attempts so far. */
export type OpenCall = Awaited<ReturnType<typeof listOpenClaimsBy>>[number];

/** `/pickup mine`: the calls `userId` holds open, oldest claim first. */
export async function listOpenCalls(db: Kysely<Database>, userId: string): Promise<OpenCall[]> {
  return listOpenClaimsBy(db, userId, MINE_LIMIT);
}
