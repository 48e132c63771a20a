import { z } from 'zod';
import type { Priority } from '../../complaints/complaint';
import { normalizePriority } from '../../complaints/complaint.major';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from '../adapter';
import {
  type AdapterOptions,
  buildAssignee,
  buildCustomer,
  canonicalName,
  cleanTags,
  cleanText,
  DEFAULT_ADAPTER_OPTIONS,
  headerValue,
  hmac,
  LIMITS,
  parseDate,
  safeEqual,
  toIssues,
} from '../adapter.helpers';
import { collapseWhitespace } from '../html';
import { adfToText } from './adf';

const text = z.string().nullish();

const userSchema = z.looseObject({
  accountId: text,
  displayName: text,
  emailAddress: text,
  timeZone: text,
});

const issueSchema = z.looseObject({
  webhookEvent: z.string(),
  // When Jira raised the event, in epoch milliseconds: what orders retried and reordered deliveries.
  timestamp: z.union([z.number(), z.string()]).nullish(),
  user: userSchema.nullish(),
  issue: z.looseObject({
    key: z.string().trim().min(1),
    self: text,
    fields: z.looseObject({
      summary: z.string().trim().min(1),
      // A string (REST v2 wiki text) or an Atlassian Document Format tree (v3), read by adfToText.
      description: z.unknown(),
      priority: z.looseObject({ id: text, name: text }).nullish(),
      labels: z.array(z.string()).nullish(),
      reporter: userSchema.nullish(),
      assignee: userSchema.nullish(),
      created: text,
      updated: text,
    }),
  }),
});

const MAPPED_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated']);

/** Plain text of a Jira description, whichever form it arrived in. */
function descriptionText(description: unknown): string | undefined {
  const raw = typeof description === 'string' ? description : adfToText(description);
  return cleanText(collapseWhitespace(raw), LIMITS.description);
}

/** The browse link: the site base (with any context path, as on Jira Server) from the REST `self` URL. */
function browseUrl(self: string | null | undefined, key: string): string | undefined {
  if (!self || !URL.canParse(self)) return undefined;
  const restAt = self.indexOf('/rest/api/');
  const base = restAt === -1 ? new URL(self).origin : self.slice(0, restAt);
  return `${base}/browse/${encodeURIComponent(key)}`;
}

type JiraPriority = { id?: string | null | undefined; name?: string | null | undefined };

/**
 * The issue's priority on Pickup's scale: the operator's own names or ids first (JIRA_URGENT_PRIORITIES,
 * JIRA_HIGH_PRIORITIES), then Jira's two shipped schemes by name, then by id.
 */
function jiraPriority(priority: JiraPriority | null | undefined, rules: AdapterOptions['jira']): Priority {
  const keys = [priority?.name, priority?.id].filter((k): k is string => !!k).map(canonicalName);
  const listed = (names: readonly string[]) => names.some((n) => keys.includes(canonicalName(n)));
  if (listed(rules.urgentPriorities)) return 'urgent';
  if (listed(rules.highPriorities)) return 'high';
  return normalizePriority(priority ?? undefined, 'jira');
}

/** Jira / Jira Service Management admin webhooks: issue created and updated. */
export const jiraAdapter: HelpDeskAdapter = {
  source: 'jira',

  verifySignature(req: WebhookRequest, secret: string): boolean {
    const signature = headerValue(req.headers, 'x-hub-signature');
    if (!secret || !signature) return false;
    return safeEqual(signature.trim().toLowerCase(), `sha256=${hmac('sha256', secret, req.rawBody, 'hex')}`);
  },

  parse(body: unknown, _headers, options: AdapterOptions = DEFAULT_ADAPTER_OPTIONS): AdapterResult {
    const event = (body as { webhookEvent?: unknown } | null)?.webhookEvent;
    if (typeof event === 'string' && !MAPPED_EVENTS.has(event)) {
      return { kind: 'ignored', reason: `Jira event ${event} is not an issue being created or updated` };
    }
    const parsed = issueSchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
    const { issue, user, timestamp } = parsed.data;
    const { fields } = issue;
    const reporter = fields.reporter;
    // `user` is whoever fired the event: on an update that is usually an agent, so their zone is not the customer's.
    const userIsReporter = !!user?.accountId && user.accountId === reporter?.accountId;
    return {
      kind: 'complaint',
      complaint: {
        source: 'jira',
        externalId: issue.key,
        subject: fields.summary.slice(0, LIMITS.subject),
        description: descriptionText(fields.description),
        priority: jiraPriority(fields.priority, options.jira),
        tags: cleanTags(fields.labels, /\s+/),
        customer: buildCustomer(
          {
            name: reporter?.displayName,
            email: reporter?.emailAddress,
            timezone: reporter?.timeZone ?? (userIsReporter ? user?.timeZone : undefined),
          },
          `Jira reporter of ${issue.key}`,
        ),
        url: browseUrl(issue.self, issue.key),
        receivedAt: parseDate(fields.created),
        sourceUpdatedAt: parseDate(timestamp) ?? parseDate(fields.updated),
        // Atlassian hides emailAddress unless the agent's profile shows it; the name is there regardless.
        assignee: buildAssignee({ name: fields.assignee?.displayName, email: fields.assignee?.emailAddress }),
      },
    };
  },
};
