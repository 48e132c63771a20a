import { z } from 'zod';
import type { FreshdeskApiConfig } from '../../config';
import type { HelpDeskClient, HelpDeskNote, ThreadMessage } from '../../ports/helpdesk.port';
import { basicAuth, createVendorApi, retryAfterHeader, type VendorApi } from '../api.http';
import {
  addTagsBestEffort,
  type HelpDeskClientOptions,
  newestMessages,
  segment,
  threadMessage,
} from '../client.helpers';
import { collapseWhitespace, htmlToText, textToHtml } from '../html';

const text = z.string().nullish();

const ticketSchema = z.looseObject({
  tags: z.array(z.string()).nullish(),
  description: text,
  description_text: text,
  created_at: text,
});

const conversationsSchema = z.array(
  z.looseObject({
    body: text,
    body_text: text,
    private: z.boolean(),
    // True when the message came from outside the help desk: the customer's reply.
    incoming: z.boolean().nullish(),
    created_at: z.string(),
  }),
);

// Conversations come oldest first, 100 at most a page; a ticket with more than this many is read up to here.
const PER_PAGE = 100;
const MAX_PAGES = 5;

/** Plain text from Freshdesk's pair of fields: the `_text` one when present, else the HTML one stripped. */
function plain(textField: string | null | undefined, html: string | null | undefined): string {
  return textField ? collapseWhitespace(textField) : htmlToText(html ?? '');
}

/** True when a Link header says there is a next page. */
function hasNextPage(link: string | null): boolean {
  return link !== null && /rel="?next"?/i.test(link);
}

async function readTicket(api: VendorApi, ticketId: string, signal: AbortSignal | undefined) {
  const { body } = await api.request(
    { method: 'GET', path: `/api/v2/tickets/${segment(ticketId)}`, signal },
    ticketSchema,
  );
  return body;
}

/**
 * Freshdesk's API. A note is a private note (`private: true`, HTML body). Updating a ticket's `tags` replaces them, so
 * tags are added by reading the ticket and writing back the union (an edit made between the two by someone else
 * may be lost; Freshdesk has no call that only adds a tag).
 */
export function createFreshdeskClient(config: FreshdeskApiConfig, options: HelpDeskClientOptions = {}): HelpDeskClient {
  const api = createVendorApi({
    vendor: 'Freshdesk',
    baseUrl: config.baseUrl,
    // The API key is the user name; Freshdesk ignores the password.
    headers: { authorization: basicAuth(config.apiKey, 'X') },
    fixes: {
      credentials: "check FRESHDESK_API_KEY (the agent's Profile settings → View API key)",
      permissions: "the API key's agent must be able to see and edit this ticket (its role and group scope)",
      baseUrl: 'FRESHDESK_DOMAIN (or FRESHDESK_API_URL)',
    },
    retryAfter: retryAfterHeader('retry-after'),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });

  async function addTags(ticketId: string, tags: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    const current = (await readTicket(api, ticketId, signal)).tags ?? [];
    const have = new Set(current.map((t) => t.toLowerCase()));
    const missing = tags.filter((t) => !have.has(t.toLowerCase()));
    if (missing.length === 0) return;
    await api.request(
      { method: 'PUT', path: `/api/v2/tickets/${segment(ticketId)}`, json: { tags: [...current, ...missing] }, signal },
      z.unknown(),
    );
  }

  return {
    source: 'freshdesk',

    async addInternalNote(ticketId: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void> {
      if (note.tags.length > 0) {
        await addTagsBestEffort(api, ticketId, options.logger, () => addTags(ticketId, note.tags, signal));
      }
      await api.request(
        {
          method: 'POST',
          path: `/api/v2/tickets/${segment(ticketId)}/notes`,
          json: { body: textToHtml(note.text), private: true },
          signal,
        },
        z.unknown(),
      );
    },

    async fetchThread(ticketId: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]> {
      // The ticket's description is the customer's opening message; conversations hold what followed.
      const ticket = await readTicket(api, ticketId, signal);
      const conversations: z.infer<typeof conversationsSchema> = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const { body, headers } = await api.request(
          {
            method: 'GET',
            path: `/api/v2/tickets/${segment(ticketId)}/conversations`,
            query: { page, per_page: PER_PAGE },
            signal,
          },
          conversationsSchema,
        );
        conversations.push(...body);
        if (!hasNextPage(headers.get('link'))) break;
      }
      return newestMessages(
        [
          threadMessage('customer', plain(ticket.description_text, ticket.description), ticket.created_at),
          ...conversations
            .filter((c) => !c.private)
            .map((c) => threadMessage(c.incoming ? 'customer' : 'agent', plain(c.body_text, c.body), c.created_at)),
        ],
        limit,
      );
    },
  };
}
