import type { VendorSource } from '../complaints/complaint';
import { PickupError } from '../shared/errors';

/**
 * An internal note for the support team on the original ticket. `text` is plain text that has already been through
 * the redaction policy (privacy/redact.ts); each client escapes it for its vendor's format (HTML, ADF, plain).
 */
export interface HelpDeskNote {
  text: string;
  /** Tags to add (never to replace the ticket's own); empty, or ignored by a vendor without tags. */
  tags: readonly string[];
}

/** One message of the ticket's public thread, as plain text (HTML stripped). */
export interface ThreadMessage {
  /** Who wrote it: the customer, or someone on our side (agent, admin, bot). */
  author: 'customer' | 'agent';
  text: string;
  at: Date;
}

/**
 * One help desk's REST API, as Pickup uses it. `ticketId` is the vendor's own id as the webhook carried it
 * (Jira's issue key, Help Scout's conversation id), stored as the complaint's external id.
 * Implementations throw {@link HelpDeskApiError} so the outbox can tell a retry from a permanent failure.
 */
export interface HelpDeskClient {
  readonly source: VendorSource;
  /** Writes a note the customer never sees, and adds the tags where the vendor has them. */
  addInternalNote(ticketId: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void>;
  /** The newest `limit` messages of the public thread, oldest first. Internal notes are left out. */
  fetchThread(ticketId: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]>;
}

/** The clients of the vendors whose API credentials are set; a vendor without credentials is absent. */
export type HelpDeskClients = Partial<Record<VendorSource, HelpDeskClient>>;

/**
 * A help-desk API call failed. 401/403 (credentials or scope) and 404 (ticket gone) are permanent; 429 and 5xx and
 * network failures are `retryable`, with `retryAfterMs` when the vendor said when to come back.
 */
export class HelpDeskApiError extends PickupError<'helpdesk_api_failed'> {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super('helpdesk_api_failed', message, options);
  }

  /** The HTTP status the vendor answered, when it answered at all. */
  get status(): number | undefined {
    return this.options.status;
  }

  /** How long the vendor asked us to wait before the next call. */
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}
