import { z } from 'zod';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from '../adapter';
import {
  buildAssignee,
  buildCustomer,
  cleanTags,
  cleanText,
  headerValue,
  hmac,
  httpUrl,
  LIMITS,
  latestDate,
  parseDate,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from '../adapter.helpers';

const text = z.string().nullish();

// Mailbox API v2 people carry `first`/`last`; the legacy (v1) Person carried `firstName`/`lastName` and a phone.
const person = z.looseObject({ first: text, last: text, firstName: text, lastName: text, email: text, phone: text });
const thread = z.looseObject({ type: text, body: text, createdAt: text });

const conversationSchema = z.looseObject({
  id: vendorId,
  number: z.union([z.string(), z.number()]).nullish(),
  subject: text,
  preview: text,
  // What webhooks send today (payload version V2): the customer is `primaryCustomer`, `threads` is only a count,
  // and the threads themselves sit in `_embedded.threads`.
  primaryCustomer: person.nullish(),
  _embedded: z.looseObject({ threads: z.array(thread).nullish() }).nullish(),
  // The legacy shape still seen from older webhooks: `customer`, and `threads` as the list itself.
  customer: person.nullish(),
  threads: z.union([z.number(), z.array(thread)]).nullish(),
  tags: z.array(z.union([z.string(), z.looseObject({ tag: z.string() })])).nullish(),
  // The assigned user: `assignee` in v2 payloads, `owner` in the legacy shape.
  assignee: person.nullish(),
  owner: person.nullish(),
  createdAt: text,
  // Activity times, newest wins: v2 `userUpdatedAt` and `customerWaitingSince.time`, legacy `userModifiedAt`/`modifiedAt`.
  userUpdatedAt: text,
  customerWaitingSince: z.looseObject({ time: text }).nullish(),
  userModifiedAt: text,
  modifiedAt: text,
  _links: z.looseObject({ web: z.looseObject({ href: text }).nullish() }).nullish(),
});

const MAPPED_EVENT = /^convo\./;
// A deleted conversation is housekeeping, not a complaint to call about.
const SKIPPED_EVENT = /^convo\.deleted$/;

type Conversation = z.infer<typeof conversationSchema>;
type Thread = z.infer<typeof thread>;

/** The customer's first message: the oldest customer thread (ISO timestamps sort as text). */
function firstCustomerThread(threads: readonly Thread[]): Thread | undefined {
  const fromCustomer = threads.filter((t) => t.type === 'customer' && t.body);
  return fromCustomer.reduce<Thread | undefined>(
    (oldest, t) => (oldest && (oldest.createdAt ?? '') <= (t.createdAt ?? '') ? oldest : t),
    undefined,
  );
}

/** The threads, wherever this payload version keeps them. */
function threadsOf(convo: Conversation): readonly Thread[] {
  return convo._embedded?.threads ?? (Array.isArray(convo.threads) ? convo.threads : []);
}

/** The customer's name and contact details from either payload version. */
function customerOf(convo: Conversation) {
  const c = convo.primaryCustomer ?? convo.customer;
  const first = c?.first ?? c?.firstName;
  const last = c?.last ?? c?.lastName;
  return { name: [first, last].filter(Boolean).join(' '), email: c?.email, phone: c?.phone };
}

/** The assigned user, from either payload version. */
function assigneeOf(convo: Conversation) {
  const a = convo.assignee ?? convo.owner;
  if (!a) return undefined;
  const name = [a.first ?? a.firstName, a.last ?? a.lastName].filter(Boolean).join(' ');
  return buildAssignee({ name, email: a.email });
}

/** Help Scout: conversation webhooks. Help Scout has no priority, so only tags can make one major. */
export const helpScoutAdapter: HelpDeskAdapter = {
  source: 'helpscout',

  verifySignature(req: WebhookRequest, secret: string): boolean {
    const signature = headerValue(req.headers, 'x-helpscout-signature');
    if (!secret || !signature) return false;
    return safeEqual(signature.trim(), hmac('sha1', secret, req.rawBody, 'base64'));
  },

  parse(body: unknown, headers: WebhookRequest['headers']): AdapterResult {
    const event = headerValue(headers, 'x-helpscout-event');
    if (!event) return { kind: 'invalid', issues: [{ path: 'headers.x-helpscout-event', message: 'is required' }] };
    if (!MAPPED_EVENT.test(event) || SKIPPED_EVENT.test(event)) {
      return { kind: 'ignored', reason: `Help Scout event ${event} is not a new or changed conversation` };
    }
    const parsed = conversationSchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', issues: toIssues(parsed.error) };
    const convo = parsed.data;
    const description = plainDescription(firstCustomerThread(threadsOf(convo))?.body ?? convo.preview);
    return {
      kind: 'complaint',
      complaint: {
        source: 'helpscout',
        externalId: convo.id,
        subject: cleanText(convo.subject, LIMITS.subject) ?? `Help Scout conversation ${convo.number ?? convo.id}`,
        description,
        priority: 'normal',
        tags: cleanTags(
          convo.tags?.map((t) => (typeof t === 'string' ? t : t.tag)),
          /,/,
        ),
        customer: buildCustomer(customerOf(convo), `Help Scout customer of conversation ${convo.number ?? convo.id}`),
        url: httpUrl(convo._links?.web?.href),
        receivedAt: parseDate(convo.createdAt),
        sourceUpdatedAt: latestDate(
          parseDate(convo.userUpdatedAt),
          parseDate(convo.customerWaitingSince?.time),
          parseDate(convo.userModifiedAt),
          parseDate(convo.modifiedAt),
        ),
        assignee: assigneeOf(convo),
      },
    };
  },
};
