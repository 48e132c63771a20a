import { z } from 'zod';
import { EscalateBlocks } from '../shared/ids';
import {
  checkedValues,
  type FormErrors,
  type FormResult,
  selectedValue,
  textValue,
  type ViewValues,
} from '../shared/view-state';
import { type ComplaintInput, customerSchema, PRIORITIES } from './complaint';

const URL_PATTERN = /https?:\/\/\S+/i;

/** What the escalate modal opens with, before the lead types anything. */
export interface EscalatePrefill {
  ticketUrl?: string;
  subject?: string;
  supportTried?: string;
}

/** The longest subject and "what support tried" the escalate modal takes (its inputs' max_length). */
export const ESCALATE_LIMITS = { subject: 500, supportTried: 3000 } as const;

/** Splits `/escalate` text into a ticket URL (the first URL) and a subject (the rest). */
export function parseEscalateText(text: string): Pick<EscalatePrefill, 'ticketUrl' | 'subject'> {
  const url = URL_PATTERN.exec(text)?.[0];
  // Slack wraps links as <https://…|label> or <https://…>; strip the wrapping.
  const cleanUrl = url?.replace(/^<|>$/g, '').split('|')[0]?.replace(/>$/, '');
  const rest = (url ? text.replace(url, ' ') : text).replace(/[<>]/g, ' ').replace(/\s+/g, ' ').trim();
  return {
    ...(cleanUrl ? { ticketUrl: cleanUrl } : {}),
    ...(rest ? { subject: rest.slice(0, ESCALATE_LIMITS.subject) } : {}),
  };
}

/**
 * The escalate modal, prefilled from a message (the `escalate_message` shortcut): its first non-blank line is the
 * subject, the whole message is what support tried, and its permalink stands in for the ticket.
 */
export function prefillFromMessage(text: string, permalink: string | undefined): EscalatePrefill {
  const subject = text
    .split('\n')
    .find((line) => line.trim())
    ?.trim()
    .slice(0, ESCALATE_LIMITS.subject);
  const supportTried = text.slice(0, ESCALATE_LIMITS.supportTried);
  return {
    ...(permalink ? { ticketUrl: permalink } : {}),
    ...(subject ? { subject } : {}),
    ...(supportTried ? { supportTried } : {}),
  };
}

const formSchema = z.object({
  [EscalateBlocks.customerName]: customerSchema.shape.name,
  [EscalateBlocks.company]: z.string().trim().max(200).optional(),
  [EscalateBlocks.customerPhone]: customerSchema.shape.phone,
  [EscalateBlocks.customerEmail]: customerSchema.shape.email,
  [EscalateBlocks.customerTimezone]: customerSchema.shape.timezone,
  [EscalateBlocks.ticketUrl]: z
    .string()
    .trim()
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), { message: 'Use an http(s) link to the ticket.' })
    .optional(),
  [EscalateBlocks.subject]: z.string().trim().min(1, 'Say in a line what went wrong.').max(ESCALATE_LIMITS.subject),
  [EscalateBlocks.supportTried]: z.string().max(ESCALATE_LIMITS.supportTried).optional(),
  [EscalateBlocks.priority]: z.enum(PRIORITIES).default('high'),
});

const FRIENDLY: Record<string, string> = {
  [EscalateBlocks.customerName]: "Enter the customer's name.",
  [EscalateBlocks.customerPhone]: 'Use an international number with 7 to 15 digits, e.g. +1 415 555 0100.',
  [EscalateBlocks.customerEmail]: 'That is not a valid email address.',
  [EscalateBlocks.customerTimezone]: 'Use an IANA time zone such as Europe/Paris or America/New_York.',
  [EscalateBlocks.subject]: 'Say in a line what went wrong.',
  [EscalateBlocks.company]: 'Keep the company name under 200 characters.',
  [EscalateBlocks.supportTried]: 'Keep this under 3,000 characters.',
  [EscalateBlocks.priority]: 'Choose one of the priorities.',
};

/** Validates the escalate modal into a complaint; errors are keyed by block_id for inline display. */
export function parseEscalateForm(
  values: ViewValues,
  meta: { userId: string; viewId: string; now: Date },
): FormResult<ComplaintInput & { receivedAt: Date }> {
  const raw = {
    [EscalateBlocks.customerName]: textValue(values, EscalateBlocks.customerName) ?? '',
    [EscalateBlocks.company]: textValue(values, EscalateBlocks.company),
    [EscalateBlocks.customerPhone]: textValue(values, EscalateBlocks.customerPhone),
    [EscalateBlocks.customerEmail]: textValue(values, EscalateBlocks.customerEmail),
    [EscalateBlocks.customerTimezone]: textValue(values, EscalateBlocks.customerTimezone),
    [EscalateBlocks.ticketUrl]: textValue(values, EscalateBlocks.ticketUrl),
    [EscalateBlocks.subject]: textValue(values, EscalateBlocks.subject) ?? '',
    [EscalateBlocks.supportTried]: textValue(values, EscalateBlocks.supportTried),
    [EscalateBlocks.priority]: selectedValue(values, EscalateBlocks.priority),
  };
  const parsed = formSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: FormErrors = {};
    for (const issue of parsed.error.issues) {
      const block = String(issue.path[0]);
      errors[block] ??= FRIENDLY[block] ?? issue.message;
    }
    return { ok: false, errors };
  }
  const f = parsed.data;
  const url = f[EscalateBlocks.ticketUrl];
  return {
    ok: true,
    value: {
      source: 'slack',
      // The ticket URL identifies the complaint, so two leads escalating one ticket make one complaint.
      externalId: url ? `ticket:${url}` : `view:${meta.viewId}`,
      subject: f[EscalateBlocks.subject],
      supportTried: f[EscalateBlocks.supportTried],
      priority: f[EscalateBlocks.priority],
      tags: ['escalated'],
      customer: {
        name: f[EscalateBlocks.customerName],
        company: f[EscalateBlocks.company],
        phone: f[EscalateBlocks.customerPhone],
        email: f[EscalateBlocks.customerEmail],
        timezone: f[EscalateBlocks.customerTimezone],
      },
      url,
      receivedAt: meta.now,
      doNotCall: checkedValues(values, EscalateBlocks.doNotCall).includes('yes'),
      escalatedBy: meta.userId,
    },
  };
}
