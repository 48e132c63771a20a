import type { VendorSource } from '../complaints/complaint';
import type { PickupEvent } from '../ports/events.port';
import type { HelpDeskNote } from '../ports/helpdesk.port';
import type { OutgoingFile, OutgoingMessage } from '../ports/slack.port';

/**
 * One durable delivery: to Slack, as an internal note on a help-desk ticket, or as an event to the outcome webhook.
 * For Slack, `target` names, by dedupe key, an earlier `post` that this one edits, replies to, or attaches to; it
 * is delivered only after that post has been. The webhook's URL and secret are read when the event is sent, so an
 * event queued before OUTCOME_WEBHOOK_URL changed goes to the new one.
 */
export type OutboxMessage =
  | { operation: 'post'; message: OutgoingMessage; mention?: MentionByEmail }
  | { operation: 'update'; target: string; message: Omit<OutgoingMessage, 'channel' | 'threadTs'> }
  | { operation: 'reply'; target: string; message: Omit<OutgoingMessage, 'channel' | 'threadTs'> }
  | { operation: 'file'; target?: string; file: Omit<OutgoingFile, 'threadTs'> }
  | { operation: 'helpdesk_note'; source: VendorSource; ticketId: string; note: HelpDeskNote }
  | { operation: 'webhook'; event: PickupEvent };

/** The operations that go to Slack; the others go to a help desk or the outcome webhook. */
export type SlackOperation = Exclude<OutboxMessage['operation'], 'helpdesk_note' | 'webhook'>;

const HTTP_STATUS = /\bHTTP (\d{3})\b/;

/**
 * How a failed help-desk or webhook call is recorded (the outbox's last_error): who answered and with which HTTP
 * status first, so that advice can read the status back with {@link httpStatusOf} whatever the message says.
 */
export function httpFailureReason(who: string, status: number | undefined, message: string): string {
  // A client's own message often names the vendor already ("Zendesk refused the credentials (401 on …)").
  const named = message.startsWith(who) ? message : `${who}: ${message}`;
  if (status === undefined || message.includes(`HTTP ${status}`)) return named;
  return message.startsWith(who) ? `${message} (HTTP ${status})` : `${who} answered HTTP ${status}: ${message}`;
}

/** The HTTP status inside a recorded failure, when the other side answered at all. */
export function httpStatusOf(reason: string | null | undefined): number | undefined {
  const match = reason ? HTTP_STATUS.exec(reason) : null;
  return match ? Number(match[1]) : undefined;
}

const NEVER_DELIVERED = /^the message it refers to \((.+)\) was never delivered$/;

/** The reason recorded for an edit, reply or file whose target post failed; `targetKeyOf` reads the key back. */
export function targetNeverDelivered(targetKey: string): string {
  return `the message it refers to (${targetKey}) was never delivered`;
}

/** The target's dedupe key inside a `targetNeverDelivered` reason. */
export function targetKeyOf(reason: string | null | undefined): string | undefined {
  return reason ? NEVER_DELIVERED.exec(reason)?.[1] : undefined;
}

/** The reason recorded for a note whose help desk has no API client (its credentials were unset since). */
export const HELPDESK_NOT_CONFIGURED = 'no API client is configured for this help desk (its credentials are not set)';

/** The reason recorded for an event queued while OUTCOME_WEBHOOK_URL was set, found unset when it was to be sent. */
export const WEBHOOK_NOT_CONFIGURED = 'OUTCOME_WEBHOOK_URL is not set (it was when this event was queued)';

/**
 * Someone a post @-mentions whom Pickup knows only by email (a help-desk agent). Slack's user id is looked up when the
 * post is sent, not when it is queued, so no transaction or button ack waits on Slack: MENTION_SLOT in the message
 * becomes `<@U…>`, or `fallback` when Slack knows nobody by that email.
 */
export interface MentionByEmail {
  email: string;
  /** Safe mrkdwn for when Slack does not know the email, e.g. the agent's name in bold. */
  fallback: string;
}

/**
 * Where a post's {@link MentionByEmail} goes in its text and blocks. It cannot occur in escaped text (`<` always
 * becomes `&lt;`), so only a builder's own markup carries it.
 */
export const MENTION_SLOT = '<pickup-mention>';

/** The message with every MENTION_SLOT replaced by `mrkdwn` (a mention, or the fallback). */
export function fillMentionSlot<T extends object>(message: T, mrkdwn: string): T {
  const json = JSON.stringify(message).replaceAll(MENTION_SLOT, JSON.stringify(mrkdwn).slice(1, -1));
  return JSON.parse(json) as T;
}
