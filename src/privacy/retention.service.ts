import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import { DAY_MS } from '../shared/time';
import { eraseComplaints, lockComplaintIdsClosedBefore } from './erasure.repository';

/** Complaints erased per transaction: small enough to keep locks short, large enough to clear a backlog quickly. */
export const RETENTION_BATCH_SIZE = 200;

/** Options for {@link purgeExpiredContactDetails}. */
export interface RetentionOptions {
  now: Date;
  retentionDays: number;
  batchSize?: number;
}

/**
 * Erases, exactly as `forget` does, the contact details and free text of complaints closed more than
 * `retentionDays` ago. The rows themselves stay, with picks, claims, attempt outcomes, timestamps and evidence
 * kinds, so the digest's numbers do not change. Runs in batches, each its own transaction with one audit row
 * (a daily run is one batch unless a backlog built up), so the audit never misses a committed erasure.
 * SKIP LOCKED lets several instances run it at once without erasing (or auditing) a complaint twice.
 * Returns how many complaints were erased.
 */
export async function purgeExpiredContactDetails(db: Kysely<Database>, options: RetentionOptions): Promise<number> {
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const closedBefore = new Date(options.now.getTime() - options.retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const erased = await db.transaction().execute(async (trx) => {
      const ids = await lockComplaintIdsClosedBefore(trx, closedBefore, batchSize);
      if (ids.length === 0) return 0;
      const { erased } = await eraseComplaints(trx, ids, options.now);
      await recordAudit(trx, {
        actor: 'retention',
        action: 'complaints.retention_purge',
        details: { count: erased.length, retentionDays: options.retentionDays, complaintIds: ids },
      });
      return erased.length;
    });
    total += erased;
    if (erased < batchSize) return total;
  }
}

/** What the daily retention job needs (the scheduler's deps fit). */
export interface RetentionJobDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'retentionDays'>;
  logger: Logger;
  now: () => Date;
}

/** The daily job: purges what RETENTION_DAYS says has expired and logs the count. */
export async function runRetentionJob(deps: RetentionJobDeps): Promise<number> {
  const purged = await purgeExpiredContactDetails(deps.db, {
    now: deps.now(),
    retentionDays: deps.config.retentionDays,
  });
  deps.logger.info(
    { job: 'retention', purged, retentionDays: deps.config.retentionDays },
    purged > 0 ? `erased contact details of ${purged} closed complaint(s)` : 'nothing past retention',
  );
  return purged;
}
