import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
// Bolt exports this type only from its App module.
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App';

import type { Logger } from '../logger';
import { DomainError, isDatabaseUnavailable } from '../shared/errors';

const UNAVAILABLE_TEXT =
  "Pickup can't reach its database right now, so nothing was changed. Please try again in a minute.";

/** The text a person sees for an error; unknown errors carry a correlation id that is also logged. */
export function describeError(err: unknown, logger: Logger, context: Record<string, unknown>): string {
  if (err instanceof DomainError) return err.userMessage;
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err, ...context }, 'database unavailable during a Slack request');
    return UNAVAILABLE_TEXT;
  }
  const correlationId = randomUUID().slice(0, 8);
  logger.error({ err, correlationId, ...context }, 'unexpected error in a Slack request');
  return `Something went wrong on our side (reference ${correlationId}). Nothing was changed; please try again, and quote the reference if it keeps happening.`;
}

interface ErrorBody {
  response_url?: string;
  user?: { id?: string };
  user_id?: string;
  channel?: { id?: string };
  channel_id?: string;
  type?: string;
  callback_id?: string;
  view?: { callback_id?: string };
}

/**
 * The one error handler: known errors become a short ephemeral answer to the person who acted,
 * unknown ones a correlation id. Modal validation never reaches here (it is answered in the ack).
 */
export function registerErrorHandler(app: App, logger: Logger): void {
  app.error(async ({ error, body, context }: ExtendedErrorHandlerArgs) => {
    const original = (error as { original?: unknown }).original ?? error;
    const b = (body ?? {}) as ErrorBody;
    const userId = b.user?.id ?? b.user_id;
    const channelId = b.channel?.id ?? b.channel_id;
    const text = describeError(original, logger, {
      userId,
      callbackId: b.callback_id ?? b.view?.callback_id,
      requestType: b.type,
    });
    try {
      if (b.response_url) {
        await fetch(b.response_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        });
      } else if (userId && channelId && context.botToken) {
        await app.client.chat.postEphemeral({ token: context.botToken, channel: channelId, user: userId, text });
      } else if (userId && context.botToken) {
        await app.client.chat.postMessage({ token: context.botToken, channel: userId, text });
      }
    } catch (err) {
      logger.error({ err, userId }, 'could not tell the user about an error');
    }
  });
}
