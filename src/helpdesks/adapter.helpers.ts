import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { type Assignee, type Customer, customerSchema } from '../complaints/complaint';
import { htmlToText } from './html';

export { hmac, safeEqual } from '../shared/crypto';

// Helpers every adapter shares. They live apart from adapter.ts because adapter.ts imports every adapter
// (for ADAPTERS), and the adapters importing it back would make an import cycle.

/** Operator choices some adapters read, from the environment (`Config.vendorRules` has this shape). */
export interface AdapterOptions {
  jira: {
    /** Priority names or ids that are urgent, beyond Jira's own (Highest, Blocker, Critical). */
    urgentPriorities: readonly string[];
    /** Priority names or ids that are high, beyond Jira's own (High, Major). */
    highPriorities: readonly string[];
  };
  intercom: {
    /** Ticket type names or ids whose tickets are major whatever else they say. */
    majorTicketTypes: readonly string[];
    /** Ticket attributes that make a ticket major: `value` to equal, or true when no value is given. */
    majorTicketAttributes: readonly { name: string; value: string | undefined }[];
  };
}

/** No operator additions: each vendor's documented defaults only. */
export const DEFAULT_ADAPTER_OPTIONS: AdapterOptions = {
  jira: { urgentPriorities: [], highPriorities: [] },
  intercom: { majorTicketTypes: [], majorTicketAttributes: [] },
};

/** Case- and space-insensitive form of a name, for matching what operators typed against what vendors send. */
export function canonicalName(value: string | number): string {
  return String(value).trim().toLowerCase();
}

/** One header as a string (the first, when repeated); `name` must be lower case, as Node stores it. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A zod failure as the contract's `issues`: one entry per problem, path dotted like "detail.subject". */
export function toIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** A vendor id (string or number) as a non-empty string. */
export const vendorId = z
  .union([z.string().trim().min(1), z.number().int().nonnegative()])
  .transform((id) => String(id));

/** Trimmed text, undefined when empty; cut to `max` characters so one huge field cannot sink a complaint. */
export function cleanText(raw: string | null | undefined, max: number): string | undefined {
  const text = raw?.trim();
  return text ? text.slice(0, max) : undefined;
}

/** The same limits the generic webhook enforces, so an adapter never produces what that route would refuse. */
export const LIMITS = { subject: 500, description: 20_000, name: 200, company: 200 } as const;

/** A vendor's HTML (or plain) description as plain text within the generic limit; undefined when empty. */
export function plainDescription(html: string | null | undefined): string | undefined {
  return cleanText(htmlToText(html ?? ''), LIMITS.description);
}

/** Tags lowercased, trimmed and deduplicated; a string is split on `separator` (templates render lists as text). */
export function cleanTags(raw: string | readonly string[] | null | undefined, separator: RegExp): string[] {
  const list = typeof raw === 'string' ? raw.split(separator) : (raw ?? []);
  const tags = list.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0 && t.length <= 100);
  return [...new Set(tags)].slice(0, 50);
}

/** A time from Unix seconds (Intercom's timestamps); undefined when absent or not a positive number. */
export function fromUnixSeconds(raw: number | null | undefined): Date | undefined {
  return typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? new Date(raw * 1000) : undefined;
}

/** The latest of some dates, ignoring missing ones; undefined when there are none. */
export function latestDate(...dates: (Date | undefined)[]): Date | undefined {
  return dates.reduce<Date | undefined>((latest, d) => (d && (!latest || d > latest) ? d : latest), undefined);
}

/** A date from ISO text or epoch milliseconds; undefined when absent or unparseable (the service then uses now). */
export function parseDate(raw: string | number | null | undefined): Date | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** An http(s) URL, or undefined; a scheme-less "host/path" (Zendesk's {{ticket.url}}) gets https://. */
export function httpUrl(raw: string | null | undefined): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const url = /^https?:\/\//i.test(text) ? text : `https://${text}`;
  return URL.canParse(url) && url.length <= 2000 ? url : undefined;
}

/** Customer fields as a vendor gives them; every one may be missing, empty or malformed. */
export interface RawCustomer {
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  company?: string | null | undefined;
  timezone?: string | null | undefined;
}

function valid<T>(schema: z.ZodType<T | undefined>, raw: string | null | undefined): T | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const result = schema.safeParse(text);
  return result.success ? result.data : undefined;
}

/**
 * The customer, validated with the same rules as the generic webhook. A malformed phone, email or time zone is
 * dropped rather than failing the complaint. The name falls back to `fallbackName` (a vendor label, never the
 * email: names appear in channel messages, contact details must not).
 */
export function buildCustomer(raw: RawCustomer, fallbackName: string): Customer {
  const email = valid(customerSchema.shape.email, raw.email);
  const name = cleanText(raw.name, LIMITS.name);
  // Help desks often store an address as the name of a contact who never gave one.
  const nameIsAddress = name !== undefined && z.email().safeParse(name).success;
  return {
    name: name && !nameIsAddress ? name : fallbackName,
    email,
    phone: valid(customerSchema.shape.phone, raw.phone),
    company: cleanText(raw.company, LIMITS.company),
    timezone: valid(customerSchema.shape.timezone, raw.timezone),
  };
}

/**
 * The ticket's assignee from what a vendor sent, or undefined when it names nobody (unassigned, or a template
 * placeholder rendered empty). A malformed email is dropped.
 */
export function buildAssignee(raw: {
  name?: string | null | undefined;
  email?: string | null | undefined;
}): Assignee | undefined {
  const email = valid(customerSchema.shape.email, raw.email);
  const name = cleanText(raw.name, LIMITS.name);
  const nameIsAddress = name !== undefined && z.email().safeParse(name).success;
  // Some desks show an agent without a display name by their address: it is the email then, not the name.
  const assignee = {
    name: nameIsAddress ? undefined : name,
    email: email ?? (nameIsAddress ? valid(customerSchema.shape.email, name) : undefined),
  };
  return assignee.name || assignee.email ? assignee : undefined;
}
