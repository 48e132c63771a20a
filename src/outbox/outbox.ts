import type { OutgoingFile, OutgoingMessage } from '../ports/slack.port';

/**
 * One durable Slack delivery. `target` names, by dedupe key, an earlier `post` that this one edits,
 * replies to, or attaches to; it is delivered only after that post has been.
 */
export type OutboxMessage =
  | { operation: 'post'; message: OutgoingMessage; mention?: MentionByEmail }
  | { operation: 'update'; target: string; message: Omit<OutgoingMessage, 'channel' | 'threadTs'> }
  | { operation: 'reply'; target: string; message: Omit<OutgoingMessage, 'channel' | 'threadTs'> }
  | { operation: 'file'; target?: string; file: Omit<OutgoingFile, 'threadTs'> };

const NEVER_DELIVERED = /^the message it refers to \((.+)\) was never delivered$/;

/** The reason recorded for an edit, reply or file whose target post failed; `targetKeyOf` reads the key back. */
export function targetNeverDelivered(targetKey: string): string {
  return `the message it refers to (${targetKey}) was never delivered`;
}

/** The target's dedupe key inside a `targetNeverDelivered` reason. */
export function targetKeyOf(reason: string | null | undefined): string | undefined {
  return reason ? NEVER_DELIVERED.exec(reason)?.[1] : undefined;
}

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
