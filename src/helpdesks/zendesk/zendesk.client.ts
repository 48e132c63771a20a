import { z } from 'zod';
import type { ZendeskApiConfig } from '../../config';
import type { HelpDeskClient, HelpDeskNote, ThreadMessage } from '../../ports/helpdesk.port';
import { basicAuth, createVendorApi, retryAfterHeader } from '../api.http';
import { type HelpDeskClientOptions, newestMessages, segment, threadMessage } from '../client.helpers';
import { collapseWhitespace, htmlToText } from '../html';

const id = z.union([z.number(), z.string()]);

const commentsSchema = z.looseObject({
  comments: z.array(
    z.looseObject({
      public: z.boolean(),
      plain_body: z.string().nullish(),
      html_body: z.string().nullish(),
      body: z.string().nullish(),
      author_id: id.nullish(),
      created_at: z.string(),
    }),
  ),
  // Sideloaded with include=users, so each author's role tells the customer from the agents.
  users: z.array(z.looseObject({ id, role: z.string().nullish() })).nullish(),
});

function authorization(config: ZendeskApiConfig): string {
  return 'oauthToken' in config ? `Bearer ${config.oauthToken}` : basicAuth(`${config.email}/token`, config.apiToken);
}

function credentialsFix(config: ZendeskApiConfig): string {
  return 'oauthToken' in config
    ? 'check ZENDESK_OAUTH_TOKEN (it may have been revoked)'
    : 'check ZENDESK_EMAIL and ZENDESK_API_TOKEN (Admin Center → Apps and integrations → Zendesk API; token access must be enabled)';
}

/**
 * Zendesk Support's API. A note is a private comment (`public: false`) added by updating the ticket, with the tags in
 * `additional_tags` (added to the ticket's own, never replacing them) in the same call.
 */
export function createZendeskClient(config: ZendeskApiConfig, options: HelpDeskClientOptions = {}): HelpDeskClient {
  const api = createVendorApi({
    vendor: 'Zendesk',
    baseUrl: config.baseUrl,
    headers: { authorization: authorization(config) },
    fixes: {
      credentials: credentialsFix(config),
      permissions:
        'the API user must be an agent who can edit this ticket (an OAuth token needs the read and write scopes)',
      baseUrl: 'ZENDESK_SUBDOMAIN (or ZENDESK_API_URL)',
    },
    retryAfter: retryAfterHeader('retry-after'),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });

  return {
    source: 'zendesk',

    async addInternalNote(ticketId: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void> {
      const ticket = {
        comment: { body: note.text, public: false },
        ...(note.tags.length > 0 ? { additional_tags: [...note.tags] } : {}),
      };
      await api.request(
        { method: 'PUT', path: `/api/v2/tickets/${segment(ticketId)}.json`, json: { ticket }, signal },
        z.unknown(),
      );
    },

    async fetchThread(ticketId: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]> {
      // Newest first, one page (up to 100): internal notes are dropped after reading, so the page holds spares.
      const { body } = await api.request(
        {
          method: 'GET',
          path: `/api/v2/tickets/${segment(ticketId)}/comments.json`,
          query: { sort_order: 'desc', include: 'users' },
          signal,
        },
        commentsSchema,
      );
      const roles = new Map((body.users ?? []).map((u) => [String(u.id), u.role ?? undefined]));
      const messages = body.comments
        .filter((c) => c.public)
        .map((c) => {
          const author = roles.get(String(c.author_id)) === 'end-user' ? 'customer' : 'agent';
          const plain = c.plain_body ?? c.body;
          const text = plain ? collapseWhitespace(plain) : htmlToText(c.html_body ?? '');
          return threadMessage(author, text, c.created_at);
        });
      return newestMessages(messages, limit);
    },
  };
}
