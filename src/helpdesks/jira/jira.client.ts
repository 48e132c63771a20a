import { z } from 'zod';
import type { JiraApiConfig } from '../../config';
import type { HelpDeskClient, HelpDeskNote, ThreadMessage } from '../../ports/helpdesk.port';
import { basicAuth, createVendorApi, retryAfterHeader } from '../api.http';
import {
  addTagsBestEffort,
  type HelpDeskClientOptions,
  newestMessages,
  segment,
  threadMessage,
} from '../client.helpers';
import { collapseWhitespace } from '../html';
import { adfToText, textToAdf } from './adf';

const text = z.string().nullish();
const userSchema = z.looseObject({ accountId: text, accountType: text });

const issueSchema = z.looseObject({
  fields: z.looseObject({ description: z.unknown(), created: text, reporter: userSchema.nullish() }),
});

const commentsSchema = z.looseObject({
  comments: z.array(
    z.looseObject({
      body: z.unknown(),
      author: userSchema.nullish(),
      created: z.string(),
      // Jira Service Management: false for an internal comment.
      jsdPublic: z.boolean().nullish(),
      // Set when a comment is restricted to a role or group: not for the customer's eyes either.
      visibility: z.unknown().nullish(),
    }),
  ),
});

/**
 * The comment property that makes a Jira Service Management comment internal: agents see it, the customer on the
 * portal does not. On a project without JSM it is an inert property and the comment is an ordinary one.
 */
export const JSM_INTERNAL_COMMENT = { key: 'sd.public.comment', value: { internal: true } } as const;

// Internal comments are dropped after reading, so one page holds spares for the newest `limit` public ones.
const COMMENT_PAGE = 100;

function plainText(body: unknown): string {
  return collapseWhitespace(typeof body === 'string' ? body : adfToText(body));
}

/**
 * Jira Cloud / Jira Service Management's REST API v3. A note is a comment with an ADF body and JSM's
 * `sd.public.comment` property set to internal; tags are labels, added with the `update` verb (never replacing).
 */
export function createJiraClient(config: JiraApiConfig, options: HelpDeskClientOptions = {}): HelpDeskClient {
  const api = createVendorApi({
    vendor: 'Jira',
    baseUrl: config.baseUrl,
    headers: { authorization: basicAuth(config.email, config.apiToken) },
    fixes: {
      credentials: 'check JIRA_EMAIL and JIRA_API_TOKEN (a token of that Atlassian account, from id.atlassian.com)',
      permissions:
        'the account needs Browse projects, Add comments and Edit issues (for labels) on this project, and to be a service project agent for internal comments',
      baseUrl: 'JIRA_BASE_URL',
    },
    retryAfter: retryAfterHeader('retry-after'),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });

  return {
    source: 'jira',

    async addInternalNote(issueKey: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void> {
      const path = `/rest/api/3/issue/${segment(issueKey)}`;
      if (note.tags.length > 0) {
        const labels = note.tags.map((tag) => ({ add: tag }));
        await addTagsBestEffort(api, issueKey, options.logger, async () => {
          await api.request({ method: 'PUT', path, json: { update: { labels } }, signal }, z.unknown());
        });
      }
      await api.request(
        {
          method: 'POST',
          path: `${path}/comment`,
          json: { body: textToAdf(note.text), properties: [JSM_INTERNAL_COMMENT] },
          signal,
        },
        z.unknown(),
      );
    },

    async fetchThread(issueKey: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]> {
      const path = `/rest/api/3/issue/${segment(issueKey)}`;
      // The description is the reporter's opening message; the reporter's own comments are the customer's too.
      const { body: issue } = await api.request(
        { method: 'GET', path, query: { fields: 'description,created,reporter' }, signal },
        issueSchema,
      );
      const { body } = await api.request(
        { method: 'GET', path: `${path}/comment`, query: { orderBy: '-created', maxResults: COMMENT_PAGE }, signal },
        commentsSchema,
      );
      const reporter = issue.fields.reporter?.accountId;
      const isCustomer = (author: z.infer<typeof userSchema> | null | undefined) =>
        author?.accountType === 'customer' || (!!reporter && author?.accountId === reporter);
      return newestMessages(
        [
          threadMessage('customer', plainText(issue.fields.description), issue.fields.created),
          ...body.comments
            .filter((c) => c.jsdPublic !== false && !c.visibility)
            .map((c) => threadMessage(isCustomer(c.author) ? 'customer' : 'agent', plainText(c.body), c.created)),
        ],
        limit,
      );
    },
  };
}
