import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { findByKey, readdressPendingPost, requeueFailed } from '../outbox/outbox.repository';
import { pickPostKey } from './pick.service';

/** What became of a date's pick post when the pick is asked for again. */
export type PostRedelivery =
  /** It had failed: the same post is queued again (with the failed edits and replies that wait on it). */
  | { state: 'requeued'; outboxId: number; reason: string | null; channel: string; followers: number }
  /** It is still queued, maybe being retried after a transient error. */
  | { state: 'waiting'; outboxId: number; reason: string | null }
  /** It was delivered, or there is none: nothing to do. */
  | { state: 'delivered' };

/**
 * Re-queues a date's pick post when its delivery failed, so asking for the pick again delivers the one drawn
 * (never a new draw). The post goes to the executives' channel as configured now: the fix for a wrong channel is
 * often a corrected EXEC_CHANNEL. Exactly once under concurrent asks: the re-queue is a conditional UPDATE.
 */
export function redeliverPickPost(db: Kysely<Database>, date: string, execChannel: string): Promise<PostRedelivery> {
  const key = pickPostKey(date);
  // PGlite has one connection: everything below must go through trx, never db.
  return db.transaction().execute(async (trx): Promise<PostRedelivery> => {
    const requeued = await requeueFailed(trx, { keys: [key] });
    const post = requeued.find((r) => r.dedupe_key === key);
    if (post) {
      await readdressPendingPost(trx, key, execChannel);
      return {
        state: 'requeued',
        outboxId: post.id,
        reason: post.last_error,
        channel: execChannel,
        followers: requeued.length - 1,
      };
    }
    const row = await findByKey(trx, key);
    if (row?.status === 'pending') return { state: 'waiting', outboxId: Number(row.id), reason: row.last_error };
    return { state: 'delivered' };
  });
}

/** One sentence on a redelivery, appended to the pick's own account. */
export function describeRedelivery(redelivery: PostRedelivery | undefined): string | undefined {
  switch (redelivery?.state) {
    case 'requeued': {
      const followers = redelivery.followers ? ` with ${redelivery.followers} update(s) that wait on it` : '';
      return `Its post had failed (${redelivery.reason ?? 'no reason recorded'}), so the same post is queued again for ${redelivery.channel}${followers} (outbox id ${redelivery.outboxId}); no new draw.`;
    }
    case 'waiting':
      return `Its post is still waiting to be delivered (outbox id ${redelivery.outboxId}${redelivery.reason ? `, last error: ${redelivery.reason}` : ''}); Pickup keeps retrying it.`;
    default:
      return undefined;
  }
}

/** The date whose pick post a dedupe key names (the inverse of pickPostKey), or undefined for any other key. */
export function pickDateOfPostKey(key: string): string | undefined {
  const date = /^pick:(\d{4}-\d{2}-\d{2}):post$/.exec(key)?.[1];
  return date !== undefined && pickPostKey(date) === key ? date : undefined;
}
