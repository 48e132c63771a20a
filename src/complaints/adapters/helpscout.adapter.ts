import { z } from 'zod';
import type { AdapterResult, HelpDeskAdapter, WebhookRequest } from './adapter';
import {
  buildCustomer,
  cleanTags,
  cleanText,
  headerValue,
  hmac,
  httpUrl,
  LIMITS,
  parseDate,
  plainDescription,
  safeEqual,
  toIssues,
  vendorId,
} from './adapter.helpers';

const text = z.string().nullish();

const conversationSchema = z.looseObject({
  id: vendorId,
  number: z.union([z.string(), z.number()]).nullish(),
  subject: text,
  preview: text,
  customer: z.looseObject({ first: text, last: text, email: text, phone: text }).nullish(),
  tags: z.array(z.union([z.string(), z.looseObject({ tag: z.string() })])).nullish(),
  threads: z.array(z.looseObject({ type: text, body: text, createdAt: text })).nullish(),
  createdAt: text,
  _links: z.looseObject({ web: z.looseObject({ href: text }).nullish() }).nullish(),
});

const MAPPED_EVENT = /^convo\./;
// A deleted conversation is housekeeping, not a complaint to call about.
const SKIPPED_EVENT = /^convo\.deleted$/;

type Thread = NonNullable<z.infer<typeof conversationSchema>['threads']>[number];

/** The customer's first message: the oldest customer thread (ISO timestamps sort as text). */
function firstCustomerThread(threads: readonly Thread[]): Thread | undefined {
  const fromCustomer = threads.filter((t) => t.type === 'customer' && t.body);
  return fromCustomer.reduce<Thread | undefined>(
    (oldest, t) => (oldest && (oldest.createdAt ?? '') <= (t.createdAt ?? '') ? oldest : t),
    undefined,
  );
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
    const customer = convo.customer;
    const description = plainDescription(firstCustomerThread(convo.threads ?? [])?.body ?? convo.preview);
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
        customer: buildCustomer(
          {
            name: [customer?.first, customer?.last].filter(Boolean).join(' '),
            email: customer?.email,
            phone: customer?.phone,
          },
          `Help Scout customer of conversation ${convo.number ?? convo.id}`,
        ),
        url: httpUrl(convo._links?.web?.href),
        receivedAt: parseDate(convo.createdAt),
      },
    };
  },
};
