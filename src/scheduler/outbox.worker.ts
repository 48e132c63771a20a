import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '../db/schema';
import type { Logger } from '../logger';
import { type OutboxMessage, targetNeverDelivered } from '../outbox/outbox';
import { findPosted, leaseDueMessages, markFailed, markSent, scheduleRetry } from '../outbox/outbox.repository';
import { type PostedMessage, SlackDeliveryError, type SlackPort } from '../ports/slack.port';

/** Tuning for delivery retries. The defaults suit production; tests shorten them. */
export interface OutboxOptions {
  maxAttempts: number;
  /** First backoff after a 5xx or network error; doubles each attempt. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  batchSize: number;
  leaseSeconds: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 10,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  batchSize: 20,
  leaseSeconds: 120,
};

/** What one drain pass did. */
export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Delivers every due message once. Safe to run in several processes at once: rows are leased with
 * FOR UPDATE SKIP LOCKED. A crash between the Slack call and markSent re-sends after the lease expires,
 * the one window no outbox can close without Slack-side idempotency keys.
 */
export async function drainOutbox(
  db: Kysely<Database>,
  slack: SlackPort,
  logger: Logger,
  options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
): Promise<DrainResult> {
  const result: DrainResult = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    const rows = await leaseDueMessages(db, options.batchSize, options.leaseSeconds);
    if (rows.length === 0) return result;
    for (const row of rows) {
      const outcome = await deliver(db, slack, logger, row, options);
      result[outcome] += 1;
    }
  }
}

async function deliver(
  db: Kysely<Database>,
  slack: SlackPort,
  logger: Logger,
  row: OutboxRow,
  options: OutboxOptions,
): Promise<keyof DrainResult> {
  const log = logger.child({ job: 'outbox', outboxId: row.id, key: row.dedupe_key });
  const message = row.payload as OutboxMessage;
  try {
    const posted = await send(db, slack, message);
    await markSent(db, row.id, posted);
    return 'sent';
  } catch (err) {
    const retryable = err instanceof SlackDeliveryError ? err.retryable : false;
    const reason = err instanceof Error ? err.message : String(err);
    if (!retryable || row.attempts >= options.maxAttempts) {
      await markFailed(db, row.id, reason);
      log.error({ err, attempts: row.attempts }, 'outbox message failed for good; it will not be retried');
      return 'failed';
    }
    const waitMs =
      err instanceof SlackDeliveryError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (row.attempts - 1));
    // A backoff timer, on the real clock: it is compared with the database's own now() when messages are leased.
    await scheduleRetry(db, row.id, new Date(Date.now() + waitMs), reason);
    log.warn({ attempts: row.attempts, waitMs, reason }, 'outbox message will be retried');
    return 'retried';
  }
}

async function send(
  db: Kysely<Database>,
  slack: SlackPort,
  message: OutboxMessage,
): Promise<PostedMessage | undefined> {
  switch (message.operation) {
    case 'post':
      return slack.postMessage(message.message);
    case 'update': {
      const target = await resolveTarget(db, message.target);
      return slack.updateMessage({ ...message.message, channel: target.channel, ts: target.ts });
    }
    case 'reply': {
      const target = await resolveTarget(db, message.target);
      return slack.postMessage({ ...message.message, channel: target.channel, threadTs: target.ts });
    }
    case 'file': {
      const target = message.target ? await resolveTarget(db, message.target) : undefined;
      await slack.uploadFile(target ? { ...message.file, threadTs: target.ts } : message.file);
      return undefined;
    }
  }
}

async function resolveTarget(db: Kysely<Database>, key: string): Promise<PostedMessage> {
  const target = await findPosted(db, key);
  if (!target?.channel || !target.ts) {
    // The lease query only hands out messages whose target is no longer pending, so this one failed.
    throw new SlackDeliveryError(targetNeverDelivered(key), false);
  }
  return { channel: target.channel, ts: target.ts };
}

/** A background loop that drains the outbox on a timer and whenever kicked. */
export interface OutboxWorker {
  /** Asks for a drain soon, e.g. right after a transaction queued a message. */
  kick(): void;
  /** Stops the loop after the pass in flight. */
  stop(): Promise<void>;
}

/** Starts the drain loop. Errors (a database outage, say) are logged and the loop goes on. */
export function startOutboxWorker(
  db: Kysely<Database>,
  slack: SlackPort,
  logger: Logger,
  pollMs = 1_000,
  options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
): OutboxWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = drainOutbox(db, slack, logger, options)
      .then(() => undefined)
      .catch((err: unknown) => logger.error({ err, job: 'outbox' }, 'outbox drain failed; will try again'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          setImmediate(run);
        } else {
          timer = setTimeout(run, pollMs);
        }
      });
  };
  timer = setTimeout(run, 0);
  return {
    kick: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
