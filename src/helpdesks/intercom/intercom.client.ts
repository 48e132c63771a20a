import { z } from 'zod';
import type { IntercomApiConfig } from '../../config';
import type { HelpDeskClient, HelpDeskNote, ThreadMessage } from '../../ports/helpdesk.port';
import { createVendorApi, resetAtHeader } from '../api.http';
import {
  addTagsBestEffort,
  type HelpDeskClientOptions,
  newestMessages,
  segment,
  threadMessage,
} from '../client.helpers';
import { htmlToText, textToHtml } from '../html';

/** The API version Pickup is written against, sent on every call so a workspace's default cannot change the shapes. */
export const INTERCOM_API_VERSION = '2.11';

const text = z.string().nullish();
const author = z.looseObject({ type: text }).nullish();

const conversationSchema = z.looseObject({
  created_at: z.number().nullish(),
  // The opening message.
  source: z.looseObject({ body: text, author }).nullish(),
  conversation_parts: z
    .looseObject({
      conversation_parts: z.array(
        z.looseObject({ part_type: text, body: text, author, created_at: z.number().nullish() }),
      ),
    })
    .nullish(),
});

const tagSchema = z.looseObject({ id: z.union([z.string(), z.number()]) });

// Authors that are the customer; admins, bots and teams are our side.
const CUSTOMER_AUTHORS = new Set(['user', 'lead', 'contact']);

/** Intercom times are Unix seconds. */
const fromSeconds = (seconds: number | null | undefined) => (seconds ? seconds * 1000 : undefined);

/**
 * Intercom's conversations API. A note is an admin reply with
 * `message_type: "note"`, written as INTERCOM_ADMIN_ID. Tags need an id: `POST /tags` finds the tag by name or
 * creates it, then the conversation is tagged with it, which adds it beside the tags it has.
 */
export function createIntercomClient(config: IntercomApiConfig, options: HelpDeskClientOptions = {}): HelpDeskClient {
  const api = createVendorApi({
    vendor: 'Intercom',
    baseUrl: config.baseUrl,
    headers: { authorization: `Bearer ${config.accessToken}`, 'intercom-version': INTERCOM_API_VERSION },
    fixes: {
      credentials: 'check INTERCOM_ACCESS_TOKEN (Developer Hub → your app → Authentication); it may have been revoked',
      permissions:
        'the app needs the Read conversations, Write conversations, Read tags and Write tags permissions, and INTERCOM_ADMIN_ID must be an admin of this workspace',
      baseUrl: 'INTERCOM_API_URL (EU and Australian workspaces have their own)',
    },
    retryAfter: resetAtHeader('x-ratelimit-reset'),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });

  async function tagConversation(conversationId: string, tag: string, signal: AbortSignal | undefined) {
    // Creating a tag that exists returns it: find-or-create in one idempotent call.
    const { body } = await api.request({ method: 'POST', path: '/tags', json: { name: tag }, signal }, tagSchema);
    await api.request(
      {
        method: 'POST',
        path: `/conversations/${segment(conversationId)}/tags`,
        json: { id: String(body.id), admin_id: config.adminId },
        signal,
      },
      z.unknown(),
    );
  }

  return {
    source: 'intercom',

    async addInternalNote(conversationId: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void> {
      if (note.tags.length > 0) {
        await addTagsBestEffort(api, conversationId, options.logger, async () => {
          for (const tag of note.tags) await tagConversation(conversationId, tag, signal);
        });
      }
      await api.request(
        {
          method: 'POST',
          path: `/conversations/${segment(conversationId)}/reply`,
          json: { message_type: 'note', type: 'admin', admin_id: config.adminId, body: textToHtml(note.text) },
          signal,
        },
        z.unknown(),
      );
    },

    async fetchThread(conversationId: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]> {
      const { body } = await api.request(
        { method: 'GET', path: `/conversations/${segment(conversationId)}`, signal },
        conversationSchema,
      );
      const who = (a: z.infer<typeof author>) => (CUSTOMER_AUTHORS.has(a?.type ?? '') ? 'customer' : 'agent');
      const parts = body.conversation_parts?.conversation_parts ?? [];
      return newestMessages(
        [
          body.source
            ? threadMessage(who(body.source.author), htmlToText(body.source.body ?? ''), fromSeconds(body.created_at))
            : undefined,
          // Notes (and "note_and_reopen") are internal; assignments and state changes carry no body.
          ...parts
            .filter((p) => !(p.part_type ?? '').includes('note'))
            .map((p) => threadMessage(who(p.author), htmlToText(p.body ?? ''), fromSeconds(p.created_at))),
        ],
        limit,
      );
    },
  };
}
