import { z } from 'zod';
import { isTimeZone } from '../shared/time';

/** Priorities in Pickup's own scale; every vendor's scale maps onto it. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where complaints come from. Generic webhooks and CSV rows may name their own source. */
export const VENDOR_SOURCES = ['zendesk', 'freshdesk', 'jira', 'intercom', 'helpscout'] as const;
export type VendorSource = (typeof VENDOR_SOURCES)[number];

/** The customer behind a complaint. Phone and email are private to the executive who claims it. */
export interface Customer {
  name: string;
  company?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  timezone?: string | undefined;
}

/**
 * The agent who holds the ticket at the help desk, for the thank-you after the call. Not customer contact data, but
 * the email is still never posted to a channel.
 */
export interface Assignee {
  name?: string | undefined;
  email?: string | undefined;
}

/**
 * A complaint as intake produces it, whatever the source: the one model every adapter maps onto.
 * `tags` feed the "major" rule; `description` is plain text (adapters strip vendor HTML).
 */
export interface ComplaintInput {
  source: string;
  externalId: string;
  subject: string;
  description?: string | undefined;
  supportTried?: string | undefined;
  priority: Priority;
  tags: string[];
  customer: Customer;
  url?: string | undefined;
  receivedAt?: Date | undefined;
  /**
   * The vendor's own time of the event or update this delivery reflects. Help desks retry and deliver out of
   * order: a delivery older than the newest one applied changes nothing. Undefined when the vendor sends none.
   */
  sourceUpdatedAt?: Date | undefined;
  /** True when a vendor rule the operator chose (e.g. an Intercom ticket type) makes it major whatever its priority. */
  vendorMajor?: boolean | undefined;
  doNotCall?: boolean | undefined;
  escalatedBy?: string | undefined;
  /** The ticket's assignee where the vendor's payload names one; undefined when unassigned or not sent. */
  assignee?: Assignee | undefined;
}

/** The stored complaint, as services hand it around. */
export interface Complaint
  extends Required<Pick<ComplaintInput, 'source' | 'externalId' | 'subject' | 'priority' | 'tags'>> {
  id: number;
  description: string | null;
  supportTried: string | null;
  isMajor: boolean;
  doNotCall: boolean;
  customer: {
    name: string | null;
    company: string | null;
    phone: string | null;
    email: string | null;
    timezone: string | null;
  };
  url: string | null;
  escalatedBy: string | null;
  /** The help-desk agent assigned to the ticket, as the latest delivery that named one said. */
  assignee: { name: string | null; email: string | null };
  receivedAt: Date;
  createdAt: Date;
  closedAt: Date | null;
}

/** A plausible international phone number: optional +, 7 to 15 digits, common separators. */
export const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{5,22}[0-9]$/;

/** Normalises a phone for storage and matching: keeps a leading + and the digits. */
export function normalizePhone(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

const phoneSchema = z
  .string()
  .trim()
  .max(40)
  .refine(
    (p) =>
      PHONE_PATTERN.test(p) &&
      normalizePhone(p).replace('+', '').length >= 7 &&
      normalizePhone(p).replace('+', '').length <= 15,
    {
      message: 'must be a phone number with 7 to 15 digits, e.g. +1 415 555 0100',
    },
  )
  .transform(normalizePhone);

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), { message: 'must be an http(s) URL' });

/** The customer fields shared by the generic webhook, the CSV import and the escalate modal. */
export const customerSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  phone: phoneSchema.optional(),
  email: z
    .email('must be an email address')
    .max(320)
    .transform((e) => e.toLowerCase())
    .optional(),
  company: z.string().trim().max(200).optional(),
  timezone: z
    .string()
    .trim()
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' })
    .optional(),
});

/** POST /webhooks/complaints, exactly as the contract gives it. */
export const genericComplaintSchema = z.object({
  externalId: z.string().trim().min(1, 'is required').max(200),
  source: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'use letters, digits, dot, dash or underscore')
    .optional(),
  subject: z.string().trim().min(1, 'is required').max(500),
  description: z.string().max(20_000).optional(),
  priority: z.enum(PRIORITIES, { message: 'must be one of urgent, high, normal, low' }),
  customer: customerSchema,
  url: httpUrl.optional(),
  receivedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  doNotCall: z.boolean().optional(),
  tags: z.array(z.string().max(100)).max(50).optional(),
  supportTried: z.string().max(5_000).optional(),
  assignee: z
    .object({
      name: z.string().trim().max(200).optional(),
      email: z
        .email('must be an email address')
        .max(320)
        .transform((e) => e.toLowerCase())
        .optional(),
    })
    .optional(),
});

export type GenericComplaint = z.infer<typeof genericComplaintSchema>;

/** The source recorded for generic webhooks that do not name one. */
export const DEFAULT_GENERIC_SOURCE = 'api';

/** Maps a validated generic body to the complaint model. */
export function fromGenericComplaint(body: GenericComplaint): ComplaintInput {
  return {
    source: body.source ?? DEFAULT_GENERIC_SOURCE,
    externalId: body.externalId,
    subject: body.subject,
    description: body.description,
    supportTried: body.supportTried,
    priority: body.priority,
    tags: body.tags ?? [],
    customer: body.customer,
    url: body.url,
    receivedAt: body.receivedAt ? new Date(body.receivedAt) : undefined,
    doNotCall: body.doNotCall,
    assignee: body.assignee?.name || body.assignee?.email ? body.assignee : undefined,
  };
}
