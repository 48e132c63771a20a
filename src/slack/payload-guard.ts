import type { IncomingHttpHeaders } from 'node:http';
import { HTTPModuleFunctions, type ReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../logger';

type Buffered = Parameters<typeof HTTPModuleFunctions.parseHTTPRequestBody>[0];

const id = z.string().min(1);
const byUser = z.object({ user: z.object({ id }) });

/** What Bolt and the listeners read from each kind of payload without checking: Slack always sends these. */
const SHAPES: Record<string, z.ZodType> = {
  block_actions: byUser.extend({ actions: z.array(z.object({ action_id: z.string() })).min(1) }),
  view_submission: byUser.extend({
    view: z.object({
      id: z.string(),
      callback_id: z.string(),
      private_metadata: z.string(),
      state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
    }),
  }),
  view_closed: byUser,
  shortcut: byUser.extend({ trigger_id: z.string() }),
  message_action: byUser.extend({
    trigger_id: z.string(),
    channel: z.object({ id }),
    message: z.object({ ts: z.string() }),
  }),
};
const COMMAND = z.object({
  command: z.string(),
  user_id: id,
  channel_id: id,
  text: z.string(),
  trigger_id: z.string(),
});
const EVENT = z.object({ event: z.object({ type: z.string() }) });

/** The paths of what a verified Slack payload lacks, or undefined when it has the shape Slack sends. */
export function malformedSlackPayload(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['(not an object)'];
  const b = body as Record<string, unknown>;
  const shape =
    typeof b.command === 'string'
      ? COMMAND
      : b.type === 'event_callback'
        ? EVENT
        : typeof b.type === 'string'
          ? SHAPES[b.type]
          : undefined;
  const checked = shape?.safeParse(b);
  if (!checked || checked.success) return undefined;
  return checked.error.issues.map((i) => i.path.join('.') || '(root)');
}

/**
 * Bolt's processEventErrorHandler, with one change: when Bolt (or a listener, before its ack) fails on a correctly
 * signed payload that lacks what Slack always sends, the answer is 400, not 500. Slack never sends such a payload,
 * so only a holder of the signing secret could; a failure on a well-formed payload still answers 500 as a bug should.
 */
export function processEventErrorHandler(logger: Logger) {
  return async (args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (!args.response.headersSent) {
      let body: unknown;
      try {
        // Bolt verified and buffered the body before it could fail on it.
        body = HTTPModuleFunctions.parseHTTPRequestBody(args.request as Buffered);
      } catch {
        body = undefined; // not even JSON: malformed, which the check below reports
      }
      const missing = malformedSlackPayload(body);
      if (missing) {
        logger.warn({ err: args.error, missing }, 'malformed Slack payload refused');
        args.response.writeHead(400);
        args.response.end();
        return true;
      }
    }
    return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  };
}

/**
 * A check of the buffered, already verified body before Bolt sees it. A body that does not decode to an object
 * (`payload=null`, a JSON `7`) makes Bolt throw inside its request handler and leave the request unanswered for
 * good, so it is refused here with 400.
 */
export function slackBodyCheck(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
): { status: number; error: string } | undefined {
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(Object.assign({ headers }, { rawBody }) as unknown as Buffered);
  } catch {
    return undefined; // Bolt answers an unparseable body itself (400)
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return undefined;
  return { status: 400, error: 'malformed Slack payload' };
}
