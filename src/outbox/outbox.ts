import type { OutgoingFile, OutgoingMessage } from '../ports/slack.port';

/**
 * One durable Slack delivery. `target` names, by dedupe key, an earlier `post` that this one edits,
 * replies to, or attaches to; it is delivered only after that post has been.
 */
export type OutboxMessage =
  | { operation: 'post'; message: OutgoingMessage }
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
