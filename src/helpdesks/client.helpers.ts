import type { Logger } from '../logger';
import { HelpDeskApiError, type ThreadMessage } from '../ports/helpdesk.port';
import type { VendorApi } from './api.http';

/** What every API client takes besides its credentials. */
export interface HelpDeskClientOptions {
  /** Warnings (tags a vendor refused) and per-call debug lines; never bodies, never contact details. */
  logger?: Logger | undefined;
  /** Per-call deadline, answer included (default DEFAULT_API_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
}

/** One thread entry, or undefined when it has no words or no readable time (attachments only, system events). */
export function threadMessage(
  author: ThreadMessage['author'],
  text: string | undefined,
  at: string | number | Date | null | undefined,
): ThreadMessage | undefined {
  const when = at === null || at === undefined ? undefined : new Date(at);
  if (!text || !when || Number.isNaN(when.getTime())) return undefined;
  return { author, text, at: when };
}

/** The newest `limit` messages, oldest first (the order the port promises), whatever order the vendor listed them in. */
export function newestMessages(messages: readonly (ThreadMessage | undefined)[], limit: number): ThreadMessage[] {
  if (limit <= 0) return [];
  const present = messages.filter((m): m is ThreadMessage => m !== undefined);
  // Array.prototype.sort is stable, so messages with the same time keep the vendor's order.
  return present.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-limit);
}

/**
 * Runs the tagging step of a write-back. Tags are a courtesy, the note is the point: when the vendor refuses the
 * tags for good (a validation rule, a field the account may not edit) the refusal is logged and the note is still
 * written. A retryable failure, or one that dooms the note too (credentials refused, ticket gone), is rethrown so the
 * outbox retries or fails the whole write-back. Tagging runs before the note because adding a tag twice is harmless
 * while a retried note would be written twice.
 */
export async function addTagsBestEffort(
  api: VendorApi,
  ticketId: string,
  logger: Logger | undefined,
  addTags: () => Promise<void>,
): Promise<void> {
  try {
    await addTags();
  } catch (err) {
    if (!(err instanceof HelpDeskApiError) || err.retryable || err.status === 401 || err.status === 404) throw err;
    logger?.warn(
      { vendor: api.vendor, ticketId, status: err.status, reason: err.message },
      'help desk refused the tags; writing the note without them',
    );
  }
}

/** A path segment for a vendor id (ticket id, issue key, conversation id). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
