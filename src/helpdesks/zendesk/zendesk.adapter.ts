import { z } from 'zod';
import type { ComplaintInput } from '../../complaints/complaint';
import { normalizePriority } from '../../complaints/complaint.major';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from '../adapter';
import {
  buildAssignee,
  buildCustomer,
  cleanTags,
  headerValue,
  hmac,
  httpUrl,
  LIMITS,
  parseDate,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from '../adapter.helpers';

/**
 * The body to paste into a Zendesk trigger's "Notify webhook" action (webhook request format: JSON).
 * Every value is a quoted string because Zendesk renders placeholders as text (an unset priority renders "-",
 * tags render space-separated) and escapes them for JSON bodies.
 */
export const ZENDESK_TRIGGER_BODY_TEMPLATE = `{
  "ticket": {
    "id": "{{ticket.id}}",
    "title": "{{ticket.title}}",
    "description": "{{ticket.description}}",
    "priority": "{{ticket.priority}}",
    "tags": "{{ticket.tags}}",
    "link": "{{ticket.link}}",
    "created_at": "{{ticket.created_at_with_timestamp}}",
    "updated_at": "{{ticket.updated_at_with_timestamp}}",
    "requester": {
      "name": "{{ticket.requester.name}}",
      "email": "{{ticket.requester.email}}",
      "phone": "{{ticket.requester.phone}}"
    },
    "organization": { "name": "{{ticket.organization.name}}" },
    "assignee": { "name": "{{ticket.assignee.name}}", "email": "{{ticket.assignee.email}}" }
  }
}`;

/** How far the signed timestamp may drift from our clock, either way, before a request counts as a replay. */
export const ZENDESK_MAX_SKEW_MS = 5 * 60 * 1000;

const text = z.string().nullish();

const eventSchema = z.looseObject({
  type: z.string(),
  time: text,
  detail: z.looseObject({
    id: vendorId,
    subject: z.string().trim().min(1),
    description: text,
    priority: text,
    tags: z.array(z.string()).nullish(),
    requester_id: z.union([z.string(), z.number()]).nullish(),
    created_at: text,
    updated_at: text,
  }),
});

const triggerSchema = z.looseObject({
  ticket: z.looseObject({
    id: vendorId,
    title: z.string().trim().min(1),
    description: text,
    priority: text,
    tags: z.union([z.string(), z.array(z.string())]).nullish(),
    link: text,
    created_at: text,
    updated_at: text,
    requester: z.looseObject({ name: text, email: text, phone: text }).nullish(),
    organization: z.looseObject({ name: text }).nullish(),
    assignee: z.looseObject({ name: text, email: text }).nullish(),
  }),
});

const TICKET_EVENT_PREFIX = 'zen:event-type:ticket.';
// Deleting or spam-marking a ticket is housekeeping, not a complaint to call about.
const SKIPPED_TICKET_EVENTS = /deleted|spam/;

function fromEvent(body: unknown): AdapterResult {
  const type = (body as { type: unknown }).type;
  if (typeof type === 'string' && (!type.startsWith(TICKET_EVENT_PREFIX) || SKIPPED_TICKET_EVENTS.test(type))) {
    return { kind: 'ignored', reason: `Zendesk event ${type} is not about a new or changed ticket` };
  }
  const parsed = eventSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
  const ticket = parsed.data.detail;
  const complaint: ComplaintInput = {
    source: 'zendesk',
    externalId: ticket.id,
    subject: ticket.subject.slice(0, LIMITS.subject),
    description: plainDescription(ticket.description),
    priority: normalizePriority(ticket.priority, 'zendesk'),
    tags: cleanTags(ticket.tags, /\s+/),
    // Events carry only the requester's and assignee's ids; names and contact details live in Zendesk.
    customer: buildCustomer({}, `Zendesk requester ${ticket.requester_id ?? `of ticket ${ticket.id}`}`),
    receivedAt: parseDate(ticket.created_at),
    sourceUpdatedAt: parseDate(ticket.updated_at) ?? parseDate(parsed.data.time),
  };
  return { kind: 'complaint', complaint };
}

function fromTrigger(body: unknown): AdapterResult {
  const parsed = triggerSchema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
  const ticket = parsed.data.ticket;
  const complaint: ComplaintInput = {
    source: 'zendesk',
    externalId: ticket.id,
    subject: ticket.title.slice(0, LIMITS.subject),
    // {{ticket.description}} can render under a separator line of dashes, which says nothing.
    description: plainDescription(ticket.description?.replace(/^\s*-{10,}\s*/, '')),
    priority: normalizePriority(ticket.priority, 'zendesk'),
    tags: cleanTags(ticket.tags, /\s+/),
    customer: buildCustomer(
      {
        name: ticket.requester?.name,
        email: ticket.requester?.email,
        phone: ticket.requester?.phone,
        company: ticket.organization?.name,
      },
      `Zendesk requester of ticket ${ticket.id}`,
    ),
    url: httpUrl(ticket.link),
    receivedAt: parseDate(ticket.created_at),
    sourceUpdatedAt: parseDate(ticket.updated_at),
    // An unassigned ticket renders the placeholders empty.
    assignee: buildAssignee({ name: ticket.assignee?.name, email: ticket.assignee?.email }),
  };
  return { kind: 'complaint', complaint };
}

/** Zendesk: event subscriptions (fixed envelope) and trigger webhooks using ZENDESK_TRIGGER_BODY_TEMPLATE. */
export const zendeskAdapter: HelpDeskAdapter = {
  source: 'zendesk',

  verifySignature(req: WebhookRequest, secret: string, nowMs: number): boolean {
    const signature = headerValue(req.headers, 'x-zendesk-webhook-signature');
    const timestamp = headerValue(req.headers, 'x-zendesk-webhook-signature-timestamp');
    if (!secret || !signature || !timestamp) return false;
    const signedAt = Date.parse(timestamp);
    if (Number.isNaN(signedAt) || Math.abs(nowMs - signedAt) > ZENDESK_MAX_SKEW_MS) return false;
    const expected = hmac('sha256', secret, Buffer.concat([Buffer.from(timestamp), req.rawBody]), 'base64');
    return safeEqual(signature.trim(), expected);
  },

  parse(body: unknown): AdapterResult {
    // The envelope always has a `type`; a trigger body is whatever the admin pasted, which has `ticket`.
    const isEvent = typeof body === 'object' && body !== null && 'type' in body;
    return isEvent ? fromEvent(body) : fromTrigger(body);
  },
};
