import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * When Pickup was first started: recorded as `now` by the first call on a database (the first start-up), and
 * returned unchanged by every later call, from any instance. Installs older than the record have it backfilled by
 * migration 0006 from the earliest thing they stored.
 */
export async function firstStartedAt(db: Kysely<Database>, now: Date): Promise<Date> {
  await db
    .insertInto('installation')
    .values({ first_started_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db.selectFrom('installation').select('first_started_at').executeTakeFirstOrThrow();
  return row.first_started_at;
}
