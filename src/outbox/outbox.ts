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
