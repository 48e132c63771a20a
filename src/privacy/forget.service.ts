import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { normalizePhone } from '../complaints/complaint';
import type { Database } from '../db/schema';
import { DomainError } from '../shared/errors';
import {
  type CustomerMatch,
  type ErasureCounts,
  eraseComplaints,
  findComplaintIdsMatching,
} from './erasure.repository';
import { toE164 } from './redact';

/** Whose data to erase: every complaint with this email or phone, or one complaint by id. */
export type ForgetSelector = { email: string } | { phone: string } | { complaintId: number };

/** What an erasure did: which complaints, and how many rows of each kind it cleared. */
export interface ErasureReport {
  complaintIds: number[];
  counts: ErasureCounts;
}

/** Phone numbers are matched on their digits; fewer than this would match strangers. */
const MIN_PHONE_DIGITS = 7;

/** The digits a phone is matched on: normalizePhone's form without its "+", since "+44…" and "44…" are one number. */
export function phoneDigits(phone: string): string {
  return normalizePhone(phone).replace('+', '');
}

/**
 * The E.164 form `forget --phone` looks for: the number read in the default country ("202-555-0177" is
 * +12025550177), or, when it cannot be read there, its digits read as an international number without its "+"
 * ("44 20 7946 0958"). Null when neither is a phone number.
 */
export function phoneToForget(phone: string): string | null {
  return toE164(phone) ?? toE164(`+${phoneDigits(phone)}`);
}

/** What a selector looks for in the complaints, once checked: a whole email address, or enough of a phone. */
function toCustomerMatch(selector: ForgetSelector): CustomerMatch {
  if ('email' in selector) {
    const email = selector.email.trim().toLowerCase();
    if (!email.includes('@')) throw new DomainError('invalid_input', 'give a whole email address');
    return { email };
  }
  if ('phone' in selector) {
    const digits = phoneDigits(selector.phone);
    if (digits.length < MIN_PHONE_DIGITS) {
      throw new DomainError('invalid_input', `give a whole phone number (at least ${MIN_PHONE_DIGITS} digits)`);
    }
    return { phoneE164: phoneToForget(selector.phone), phoneDigits: digits };
  }
  return { complaintId: selector.complaintId };
}

/**
 * Erases a customer: every matching complaint loses its contact details and free text, and so do its call notes,
 * release reasons, survey comments, queued and sent Slack payloads and digest quotes (see eraseComplaints).
 * One audit row per complaint records the fact, the actor and which fields were cleared, never their values.
 * Nothing matching returns an empty report; the CLI turns that into a non-zero exit. `now` stamps the erasure.
 */
export async function forgetCustomer(
  trx: Transaction<Database>,
  selector: ForgetSelector,
  actor: string,
  now: Date,
): Promise<ErasureReport> {
  const ids = await findComplaintIdsMatching(trx, toCustomerMatch(selector));
  const { erased, counts } = await eraseComplaints(trx, ids, now);
  const by = 'email' in selector ? 'email' : 'phone' in selector ? 'phone' : 'complaint';
  for (const complaint of erased) {
    await recordAudit(trx, {
      actor,
      action: 'complaint.erased',
      complaintId: complaint.id,
      details: { fields: complaint.fields, by },
    });
  }
  return { complaintIds: erased.map((c) => c.id), counts };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const SELECTOR_LABELS = { email: 'that email address', phone: 'that phone number', complaintId: 'that complaint id' };

/** The operator's account of an erasure, in a few lines; it never repeats the contact detail it was given. */
export function describeErasure(report: ErasureReport, selector?: ForgetSelector): string {
  const c = report.counts;
  if (report.complaintIds.length === 0) {
    const what = selector
      ? SELECTOR_LABELS['email' in selector ? 'email' : 'phone' in selector ? 'phone' : 'complaintId']
      : 'it';
    return `Nothing erased: no complaint matches ${what}. Check it, or it may have been erased already.`;
  }
  return [
    `Erased ${plural(report.complaintIds.length, 'complaint')} (${report.complaintIds.length === 1 ? 'id' : 'ids'} ${report.complaintIds.join(', ')}): ` +
      'contact details, subject, description and what support tried.',
    `Also cleared: ${plural(c.callAttemptNotes, 'call note')}, ${plural(c.claimReleaseReasons, 'release reason')}, ` +
      `${plural(c.evidenceNotes, 'survey comment')}, ${plural(c.outboxPayloads, 'Slack message payload')} ` +
      `(${plural(c.outboxCancelled, 'undelivered message')} cancelled); masked in ${plural(c.digests, 'digest')} ` +
      `and ${plural(c.actionTexts, 'action')}.`,
    'The audit log records each erasure by id. Messages already in Slack are not edited: delete the brief DM there if it must go too.',
  ].join('\n');
}
