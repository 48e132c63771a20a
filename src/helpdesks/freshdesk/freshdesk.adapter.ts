import { z } from 'zod';
import { normalizePriority } from '../../complaints/complaint.major';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from '../adapter';
import {
  buildAssignee,
  buildCustomer,
  cleanTags,
  headerValue,
  httpUrl,
  LIMITS,
  parseDate,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from '../adapter.helpers';

/**
 * The JSON body to paste into a Freshdesk automation rule's "Trigger webhook" action (encoding: JSON, content:
 * advanced). It mirrors Freshdesk's own "simple" JSON envelope, plus the requester's phone, the tags and company,
 * and the assigned agent.
 */
export const FRESHDESK_BODY_TEMPLATE = `{
  "freshdesk_webhook": {
    "triggered_event": "{{triggered_event}}",
    "ticket_id": "{{ticket.id}}",
    "ticket_subject": "{{ticket.subject}}",
    "ticket_description": "{{ticket.description}}",
    "ticket_priority": "{{ticket.priority}}",
    "ticket_status": "{{ticket.status}}",
    "ticket_url": "{{ticket.url}}",
    "ticket_tags": "{{ticket.tags}}",
    "ticket_company_name": "{{ticket.company.name}}",
    "requester_name": "{{ticket.requester.name}}",
    "requester_email": "{{ticket.requester.email}}",
    "requester_phone": "{{ticket.requester.phone}}",
    "agent_name": "{{ticket.agent.name}}",
    "agent_email": "{{ticket.agent.email}}"
  }
}`;

const text = z.string().nullish();
const priority = z.union([z.string(), z.number()]).nullish();
const tags = z.union([z.string(), z.array(z.string())]).nullish();

/** Both body shapes, reduced to the fields Pickup reads. */
interface FreshdeskTicket {
  id: string;
  subject: string;
  description: string | null | undefined;
  priority: string | number | null | undefined;
  url: string | null | undefined;
  tags: string | string[] | null | undefined;
  company: string | null | undefined;
  name: string | null | undefined;
  email: string | null | undefined;
  phone: string | null | undefined;
  /** The assigned agent, from the `{{ticket.agent.*}}` placeholders. */
  agentName: string | null | undefined;
  agentEmail: string | null | undefined;
  createdAt?: string | null | undefined;
  updatedAt?: string | null | undefined;
  /** The `{{triggered_event}}` placeholder: what fired the automation rule, e.g. `{ticket_action:created}`. */
  triggeredEvent: string | null | undefined;
}

const envelopeSchema = z
  .looseObject({
    freshdesk_webhook: z.looseObject({
      triggered_event: text,
      ticket_id: vendorId,
      ticket_subject: z.string().trim().min(1),
      ticket_description: text,
      ticket_priority: priority,
      ticket_url: text,
      ticket_tags: tags,
      ticket_company_name: text,
      requester_name: text,
      requester_email: text,
      requester_phone: text,
      agent_name: text,
      agent_email: text,
    }),
  })
  .transform(
    ({ freshdesk_webhook: t }): FreshdeskTicket => ({
      id: t.ticket_id,
      subject: t.ticket_subject,
      description: t.ticket_description,
      priority: t.ticket_priority,
      url: t.ticket_url,
      tags: t.ticket_tags,
      company: t.ticket_company_name,
      name: t.requester_name,
      email: t.requester_email,
      phone: t.requester_phone,
      agentName: t.agent_name,
      agentEmail: t.agent_email,
      triggeredEvent: t.triggered_event,
    }),
  );

const flatSchema = z
  .looseObject({
    id: vendorId,
    subject: z.string().trim().min(1),
    description: text,
    priority,
    url: text,
    tags,
    company_name: text,
    requester_name: text,
    requester_email: text,
    requester_phone: text,
    agent_name: text,
    agent_email: text,
    created_at: text,
    updated_at: text,
    triggered_event: text,
  })
  .transform(
    (t): FreshdeskTicket => ({
      id: t.id,
      subject: t.subject,
      description: t.description,
      priority: t.priority,
      url: t.url,
      tags: t.tags,
      company: t.company_name,
      name: t.requester_name,
      email: t.requester_email,
      phone: t.requester_phone,
      agentName: t.agent_name,
      agentEmail: t.agent_email,
      createdAt: t.created_at,
      updatedAt: t.updated_at,
      triggeredEvent: t.triggered_event,
    }),
  );

// A note added to a ticket (Freshdesk names them private_note and public_note in the triggered event) says nothing
// new about the ticket itself, and the fields such a rule renders must not overwrite its subject or priority.
const NOTE_EVENT = /\b(private|public)_note\b/i;

/** Basic auth's password, or undefined when the header is not Basic auth. */
function basicPassword(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Basic\s+(\S+)$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Freshdesk: automation-rule webhooks, in Freshdesk's "simple" envelope or as a flat ticket body. */
export const freshdeskAdapter: HelpDeskAdapter = {
  source: 'freshdesk',

  // Freshdesk cannot sign, so the shared secret travels in a header the admin adds, or as the basic-auth password.
  verifySignature(req: WebhookRequest, secret: string): boolean {
    if (!secret) return false;
    const custom = headerValue(req.headers, 'x-pickup-secret') ?? '';
    const password = basicPassword(headerValue(req.headers, 'authorization')) ?? '';
    return safeEqual(custom, secret) || safeEqual(password, secret);
  },

  parse(body: unknown): AdapterResult {
    const isEnvelope = typeof body === 'object' && body !== null && 'freshdesk_webhook' in body;
    const parsed = (isEnvelope ? envelopeSchema : flatSchema).safeParse(body);
    if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
    const t = parsed.data;
    if (t.triggeredEvent && NOTE_EVENT.test(t.triggeredEvent)) {
      return {
        kind: 'ignored',
        reason: `Freshdesk event ${t.triggeredEvent.slice(0, 100)} adds a note; it does not change the ticket`,
      };
    }
    return {
      kind: 'complaint',
      complaint: {
        source: 'freshdesk',
        externalId: t.id,
        subject: t.subject.slice(0, LIMITS.subject),
        description: plainDescription(t.description),
        priority: normalizePriority(t.priority, 'freshdesk'),
        tags: cleanTags(t.tags, /,/),
        customer: buildCustomer(
          { name: t.name, email: t.email, phone: t.phone, company: t.company },
          `Freshdesk requester of ticket ${t.id}`,
        ),
        url: httpUrl(t.url),
        receivedAt: parseDate(t.createdAt),
        sourceUpdatedAt: parseDate(t.updatedAt),
        assignee: buildAssignee({ name: t.agentName, email: t.agentEmail }),
      },
    };
  },
};
