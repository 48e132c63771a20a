import { z } from 'zod';
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
  fromUnixSeconds,
  headerValue,
  hmac,
  LIMITS,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from '../adapter.helpers';

const text = z.string().nullish();
const person = z.looseObject({ type: text, id: z.union([z.string(), z.number()]).nullish(), name: text, email: text });
const message = z.looseObject({ subject: text, body: text, author: person.nullish() });

const itemSchema = z.looseObject({
  id: vendorId,
  created_at: z.number().nullish(),
  updated_at: z.number().nullish(),
  title: text,
  priority: text,
  // API 2.x conversations: the opening message is `source`, the customers are `contacts`.
  source: message.nullish(),
  contacts: z.looseObject({ contacts: z.array(person) }).nullish(),
  // API 1.x conversations: the opening message is `conversation_message`, the customer is `user`.
  conversation_message: message.nullish(),
  user: person.nullish(),
  // API 1.x conversations also name the assigned admin; 2.x sends only `admin_assignee_id`.
  assignee: person.nullish(),
  tags: z.looseObject({ tags: z.array(z.looseObject({ name: z.string() })) }).nullish(),
  // Tickets keep their title and description among their attributes, next to the ticket type's own attributes.
  ticket_attributes: z.record(z.string(), z.unknown()).nullish(),
  ticket_type: z.looseObject({ id: z.union([z.string(), z.number()]).nullish(), name: text }).nullish(),
});

const notificationSchema = z.looseObject({
  topic: z.string(),
  created_at: z.number().nullish(),
  data: z.looseObject({ item: itemSchema }),
});

type Item = z.infer<typeof itemSchema>;

const MAPPED_TOPIC = /^(conversation|ticket)\./;
// A deleted conversation is housekeeping, not a complaint to call about.
const SKIPPED_TOPIC = /\.deleted$/;
// When a teammate starts the conversation the author is staff; the customer is then among the contacts.
const STAFF_AUTHORS = new Set(['admin', 'bot', 'team']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Some ticket topics (ticket.closed, and ticket.admin.replied as delivered) wrap the ticket in `data.item.ticket`
 * instead of sending it as `data.item`. Returns the body with the ticket where the schema reads it, and whether it
 * was moved (so issues can name the path as sent).
 */
function unwrapTicket(body: unknown): { body: unknown; nested: boolean } {
  const data = isRecord(body) ? body.data : undefined;
  const item = isRecord(data) ? data.item : undefined;
  if (!isRecord(body) || !isRecord(data) || !isRecord(item) || !isRecord(item.ticket)) return { body, nested: false };
  return { body: { ...body, data: { ...data, item: item.ticket } }, nested: true };
}

function stringAttribute(item: Item, name: string): string | undefined {
  const value = item.ticket_attributes?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** True when an attribute value matches what the operator asked for: `expected`, or true when none is given. */
function attributeMatches(value: unknown, expected: string | undefined): boolean {
  if (Array.isArray(value)) return value.some((v) => attributeMatches(v, expected));
  if (expected === undefined) return value === true || (typeof value === 'string' && canonicalName(value) === 'true');
  return (typeof value === 'string' || typeof value === 'number') && canonicalName(value) === canonicalName(expected);
}

/** True when the ticket's type or one of its attributes is one the operator made major (INTERCOM_MAJOR_TICKET_*). */
function isMajorTicket(item: Item, rules: AdapterOptions['intercom']): boolean {
  const type = item.ticket_type;
  const typeKeys = [type?.name, type?.id].filter((k): k is string | number => k !== null && k !== undefined);
  const keys = typeKeys.map(canonicalName);
  if (rules.majorTicketTypes.some((t) => keys.includes(canonicalName(t)))) return true;
  const attributes = Object.entries(item.ticket_attributes ?? {});
  return rules.majorTicketAttributes.some((rule) =>
    attributes.some(
      ([name, value]) => canonicalName(name) === canonicalName(rule.name) && attributeMatches(value, rule.value),
    ),
  );
}

/**
 * The customer: the author of the opening message unless staff wrote it, then the legacy `user`, then a contact;
 * the first of them with a name or email, since a bare reference (`{type, id}`) names nobody.
 */
function customerOf(item: Item) {
  const author = (item.source ?? item.conversation_message)?.author;
  const people = [
    author && !STAFF_AUTHORS.has(author.type ?? '') ? author : undefined,
    item.user,
    ...(item.contacts?.contacts ?? []),
  ].filter((p) => !!p);
  return people.find((p) => p.name || p.email) ?? people[0];
}

function subjectOf(item: Item, description: string | undefined): string {
  const opening = item.source ?? item.conversation_message;
  return (
    cleanText(item.title, LIMITS.subject) ??
    cleanText(stringAttribute(item, '_default_title_'), LIMITS.subject) ??
    plainDescription(opening?.subject)?.slice(0, LIMITS.subject) ??
    // Chats have no subject; the opening words are the most recognisable stand-in.
    description?.split('\n')[0]?.slice(0, 120) ??
    `Intercom conversation ${item.id}`
  );
}

/** Intercom: conversation and ticket notifications (the `ping` sent on registration is acknowledged and ignored). */
export const intercomAdapter: HelpDeskAdapter = {
  source: 'intercom',

  verifySignature(req: WebhookRequest, secret: string): boolean {
    const signature = headerValue(req.headers, 'x-hub-signature');
    if (!secret || !signature) return false;
    return safeEqual(signature.trim().toLowerCase(), `sha1=${hmac('sha1', secret, req.rawBody, 'hex')}`);
  },

  parse(body: unknown, _headers, options: AdapterOptions = DEFAULT_ADAPTER_OPTIONS): AdapterResult {
    const topic = (body as { topic?: unknown } | null)?.topic;
    if (topic === 'ping') return { kind: 'ignored', reason: 'ping' };
    if (typeof topic === 'string' && (!MAPPED_TOPIC.test(topic) || SKIPPED_TOPIC.test(topic))) {
      return { kind: 'ignored', reason: `Intercom topic ${topic} is not about a conversation or ticket` };
    }
    const unwrapped = unwrapTicket(body);
    const parsed = notificationSchema.safeParse(unwrapped.body);
    if (!parsed.success) {
      const issues = toIssues(parsed.error);
      return {
        kind: 'invalid',
        issues: unwrapped.nested
          ? issues.map((i) => ({ ...i, path: i.path.replace(/^data\.item\b/, 'data.item.ticket') }))
          : issues,
      };
    }
    const item = parsed.data.data.item;
    const customer = customerOf(item);
    const description = plainDescription(
      (item.source ?? item.conversation_message)?.body ?? stringAttribute(item, '_default_description_'),
    );
    return {
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: item.id,
        subject: subjectOf(item, description),
        description,
        priority: normalizePriority(item.priority, 'intercom'),
        tags: cleanTags(
          item.tags?.tags.map((t) => t.name),
          /,/,
        ),
        customer: buildCustomer(
          { name: customer?.name, email: customer?.email },
          `Intercom contact ${customer?.id ?? `of conversation ${item.id}`}`,
        ),
        receivedAt: fromUnixSeconds(item.created_at),
        sourceUpdatedAt: fromUnixSeconds(item.updated_at) ?? fromUnixSeconds(parsed.data.created_at),
        vendorMajor: isMajorTicket(item, options.intercom) || undefined,
        // A team or "nobody_admin" holds the conversation without a person to thank.
        assignee: item.assignee?.type === 'admin' ? buildAssignee(item.assignee) : undefined,
      },
    };
  },
};
