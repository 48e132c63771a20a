import type { Kysely } from 'kysely';
import type { Database } from '../../../src/db/schema';
import type { RecordedCall } from '../../helpers/fake-slack';

/** Every table a Slack action or a webhook could write to. */
export const WRITABLE_TABLES = [
  'complaints',
  'picks',
  'claims',
  'call_attempts',
  'advocacy_evidence',
  'digests',
  'executive_away',
  'outbox',
  'audit_log',
] as const satisfies readonly (keyof Database)[];

/** Row counts per table. */
export type RowCounts = Record<(typeof WRITABLE_TABLES)[number], number>;

/** Counts the rows of every writable table, so a test can prove a refused request wrote nothing. */
export async function countRows(db: Kysely<Database>): Promise<RowCounts> {
  const counts = {} as RowCounts;
  for (const table of WRITABLE_TABLES) {
    const { n } = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(n);
  }
  return counts;
}

/** Slack Web API methods that change what people see (as opposed to lookups such as users.info). */
const WRITING_METHODS = /^(chat\.|views\.|files\.|conversations\.open|reactions\.)/;

/** The calls to the fake Slack that would show something to someone. */
export function visibleCalls(calls: readonly RecordedCall[]): RecordedCall[] {
  return calls.filter((c) => WRITING_METHODS.test(c.method));
}

/** Successful chat.postMessage calls to one channel (user IDs count as their DM), top-level or in a thread. */
export function postsTo(
  calls: readonly RecordedCall[],
  channel: string,
  where: { thread?: string | 'none' } = {},
): RecordedCall[] {
  return calls.filter((c) => {
    if (c.method !== 'chat.postMessage' || c.failure !== undefined || c.args.channel !== channel) return false;
    if (where.thread === 'none') return c.args.thread_ts === undefined;
    if (where.thread !== undefined) return c.args.thread_ts === where.thread;
    return true;
  });
}
