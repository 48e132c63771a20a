import { z } from 'zod';
import { normalizePriority } from '../complaint.major';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from './adapter';
import {
  buildCustomer,
  cleanTags,
  cleanText,
  headerValue,
  hmac,
  LIMITS,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from './adapter.helpers';

const text = z.string().nullish();
const person = z.looseObject({ type: text, id: z.union([z.string(), z.number()]).nullish(), name: text, email: text });

const notificationSchema = z.looseObject({
  topic: z.string(),
  data: z.looseObject({
    item: z.looseObject({
      id: vendorId,
      created_at: z.number().nullish(),
      title: text,
      priority: text,
      source: z.looseObject({ subject: text, body: text, author: person.nullish() }).nullish(),
      contacts: z.looseObject({ contacts: z.array(person) }).nullish(),
      tags: z.looseObject({ tags: z.array(z.looseObject({ name: z.string() })) }).nullish(),
      // Tickets (ticket.* topics) keep their title and description here instead of in `source`.
      ticket_attributes: z.looseObject({ _default_title_: text, _default_description_: text }).nullish(),
    }),
  }),
});

const MAPPED_TOPIC = /^(conversation|ticket)\./;
// A deleted conversation is housekeeping, not a complaint to call about.
const SKIPPED_TOPIC = /\.deleted$/;
// When a teammate starts the conversation the author is staff; the customer is then among the contacts.
const STAFF_AUTHORS = new Set(['admin', 'bot', 'team']);

/** Intercom: conversation and ticket notifications (the `ping` sent on registration is acknowledged and ignored). */
export const intercomAdapter: HelpDeskAdapter = {
  source: 'intercom',

  verifySignature(req: WebhookRequest, secret: string): boolean {
    const signature = headerValue(req.headers, 'x-hub-signature');
    if (!secret || !signature) return false;
    return safeEqual(signature.trim().toLowerCase(), `sha1=${hmac('sha1', secret, req.rawBody, 'hex')}`);
  },

  parse(body: unknown): AdapterResult {
    const topic = (body as { topic?: unknown } | null)?.topic;
    if (topic === 'ping') return { kind: 'ignored', reason: 'ping' };
    if (typeof topic === 'string' && (!MAPPED_TOPIC.test(topic) || SKIPPED_TOPIC.test(topic))) {
      return { kind: 'ignored', reason: `Intercom topic ${topic} is not about a conversation or ticket` };
    }
    const parsed = notificationSchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
    const item = parsed.data.data.item;
    const author = item.source?.author;
    const customer = author && !STAFF_AUTHORS.has(author.type ?? '') ? author : item.contacts?.contacts[0];
    const description = plainDescription(item.source?.body ?? item.ticket_attributes?._default_description_);
    const subject =
      cleanText(item.title, LIMITS.subject) ??
      cleanText(item.ticket_attributes?._default_title_, LIMITS.subject) ??
      plainDescription(item.source?.subject)?.slice(0, LIMITS.subject) ??
      // Chats have no subject; the opening words are the most recognisable stand-in.
      description?.split('\n')[0]?.slice(0, 120) ??
      `Intercom conversation ${item.id}`;
    return {
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: item.id,
        subject,
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
        // Intercom timestamps are Unix seconds.
        receivedAt: typeof item.created_at === 'number' ? new Date(item.created_at * 1000) : undefined,
      },
    };
  },
};
