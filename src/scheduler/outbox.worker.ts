import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '../db/schema';
import type { Logger } from '../logger';
import {
  fillMentionSlot,
  HELPDESK_NOT_CONFIGURED,
  httpFailureReason,
  type MentionByEmail,
  type OutboxMessage,
  targetNeverDelivered,
  WEBHOOK_NOT_CONFIGURED,
} from '../outbox/outbox';
import { helpDeskLabel } from '../outbox/outbox.advice';
import { findPosted, leaseDueMessages, markFailed, markSent, scheduleRetry } from '../outbox/outbox.repository';
import { type OutgoingWebhook, WebhookDeliveryError } from '../ports/events.port';
import { HelpDeskApiError, type HelpDeskClients } from '../ports/helpdesk.port';
import { type OutgoingMessage, type PostedMessage, SlackDeliveryError, type SlackPort } from '../ports/slack.port';

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

/** How long a help desk has to take a note before the attempt counts as failed (and is retried). */
export const HELPDESK_TIMEOUT_MS = 15_000;

/**
 * Where the outbox delivers: Slack, the help desks whose API clients are configured, and the outcome webhook when
 * OUTCOME_WEBHOOK_URL is set. A note for a help desk without a client, or an event with no webhook, fails for good
 * with a reason that says so (both were configured when the message was queued).
 */
export interface OutboxDestinations {
  slack: SlackPort;
  helpdesks: HelpDeskClients;
  webhook: OutgoingWebhook | undefined;
  /**
   * True while Slack must not be called (Pickup was removed from the workspace): Slack deliveries then stay pending,
   * neither attempted nor failed, and go out once it is installed again. Help-desk notes and webhook events still go.
   */
  slackHeld?: (() => boolean) | undefined;
}

/** What is delivered while Slack is held: everything but Slack. */
const NOT_SLACK: readonly OutboxMessage['operation'][] = ['helpdesk_note', 'webhook'];

/** A SlackPort alone is a drainer for Slack only: it has no help desks and no webhook. */
function destinationsOf(to: SlackPort | OutboxDestinations): OutboxDestinations {
  return 'slack' in to ? to : { slack: to, helpdesks: {}, webhook: undefined };
}

/** What one drain pass did. */
export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Delivers every due message once. Safe to run in several processes at once: rows are leased with
 * FOR UPDATE SKIP LOCKED. A crash between the call and markSent re-sends after the lease expires, the one window
 * no outbox can close without idempotency on the other side: webhook events carry their id for that; Slack and
 * the help desks take no such key.
 */
export async function drainOutbox(
  db: Kysely<Database>,
  to: SlackPort | OutboxDestinations,
  logger: Logger,
  options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
): Promise<DrainResult> {
  const destinations = destinationsOf(to);
  const result: DrainResult = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    const only = destinations.slackHeld?.() ? NOT_SLACK : undefined;
    const rows = await leaseDueMessages(db, options.batchSize, options.leaseSeconds, only);
    if (rows.length === 0) return result;
    // UPDATE … RETURNING hands rows back in no particular order; queue order is what receivers should see.
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    for (const row of rows) {
      const outcome = await deliver(db, destinations, logger, row, options);
      result[outcome] += 1;
    }
  }
}

/** A failed attempt as the retry rules see it, whatever it was sent to. */
interface AttemptFailure {
  reason: string;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

/**
 * The same rules for every destination: retry what the error says is retryable (429, 5xx, network), after its
 * Retry-After when it gave one; anything else, including an error no destination raises on purpose, is permanent.
 */
function toAttemptFailure(err: unknown, message: OutboxMessage): AttemptFailure {
  if (err instanceof SlackDeliveryError || err instanceof WebhookDeliveryError) {
    return { reason: err.message, retryable: err.retryable, retryAfterMs: err.retryAfterMs };
  }
  if (err instanceof HelpDeskApiError) {
    const who = message.operation === 'helpdesk_note' ? helpDeskLabel(message.source) : 'the help desk';
    return {
      reason: httpFailureReason(who, err.status, err.message),
      retryable: err.retryable,
      retryAfterMs: err.retryAfterMs,
    };
  }
  return { reason: err instanceof Error ? err.message : String(err), retryable: false, retryAfterMs: undefined };
}

async function deliver(
  db: Kysely<Database>,
  destinations: OutboxDestinations,
  logger: Logger,
  row: OutboxRow,
  options: OutboxOptions,
): Promise<keyof DrainResult> {
  const log = logger.child({ job: 'outbox', outboxId: row.id, key: row.dedupe_key });
  const message = row.payload as OutboxMessage;
  try {
    const posted = await send(db, destinations, message);
    await markSent(db, row.id, posted);
    return 'sent';
  } catch (err) {
    const failure = toAttemptFailure(err, message);
    if (!failure.retryable || row.attempts >= options.maxAttempts) {
      await markFailed(db, row.id, failure.reason);
      log.error({ err, attempts: row.attempts }, 'outbox message failed for good; it will not be retried');
      return 'failed';
    }
    const waitMs =
      failure.retryAfterMs ?? Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (row.attempts - 1));
    // A backoff timer, on the real clock: it is compared with the database's own now() when messages are leased.
    await scheduleRetry(db, row.id, new Date(Date.now() + waitMs), failure.reason);
    log.warn({ attempts: row.attempts, waitMs, reason: failure.reason }, 'outbox message will be retried');
    return 'retried';
  }
}

async function send(
  db: Kysely<Database>,
  destinations: OutboxDestinations,
  message: OutboxMessage,
): Promise<PostedMessage | undefined> {
  const { slack } = destinations;
  switch (message.operation) {
    case 'post':
      return slack.postMessage(
        message.mention ? await withMention(slack, message.message, message.mention) : message.message,
      );
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
    case 'helpdesk_note':
      await addNote(destinations.helpdesks, message);
      return undefined;
    case 'webhook':
      if (!destinations.webhook) throw new WebhookDeliveryError(WEBHOOK_NOT_CONFIGURED, false);
      await destinations.webhook.send(message.event);
      return undefined;
  }
}

async function addNote(
  helpdesks: HelpDeskClients,
  message: Extract<OutboxMessage, { operation: 'helpdesk_note' }>,
): Promise<void> {
  const client = helpdesks[message.source];
  if (!client) throw new HelpDeskApiError(HELPDESK_NOT_CONFIGURED, false);
  const signal = AbortSignal.timeout(HELPDESK_TIMEOUT_MS);
  try {
    await client.addInternalNote(message.ticketId, message.note, signal);
  } catch (err) {
    // However the client reports an abort, a help desk that did not answer in time is retried like a 5xx.
    if (signal.aborted && !(err instanceof HelpDeskApiError)) {
      throw new HelpDeskApiError(`no answer within ${HELPDESK_TIMEOUT_MS / 1000} s`, true, { cause: err });
    }
    throw err;
  }
}

/**
 * The message with its mention filled in: the Slack user with that email, or the fallback when Slack knows nobody by
 * it. A transient failure of the lookup is thrown, so the post is retried like any other Slack call.
 */
async function withMention(
  slack: SlackPort,
  message: OutgoingMessage,
  mention: MentionByEmail,
): Promise<OutgoingMessage> {
  const userId = await slack.findUserIdByEmail(mention.email);
  return fillMentionSlot(message, userId ? `<@${userId}>` : mention.fallback);
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
  to: SlackPort | OutboxDestinations,
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
    running = drainOutbox(db, to, logger, options)
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
