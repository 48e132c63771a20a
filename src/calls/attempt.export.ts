import type { Kysely } from 'kysely';
import type { ActionStatus } from '../actions/action';
import type { ComplaintRow, Database } from '../db/schema';
import { redactText } from '../privacy/redact';
import { DomainError } from '../shared/errors';
import { addDays, isRealDate, zonedTimeToUtc } from '../shared/time';
import { findAttemptExportPage } from './attempt.repository';

/** Columns of every export row, in output order (the CSV header). */
export const EXPORT_COLUMNS = [
  'attempt_id',
  'attempted_at',
  'executive',
  'outcome',
  'notes',
  'follow_up_date',
  'advocate_assessment',
  'ok_to_quote',
  'claim_id',
  'claimed_at',
  'complaint_id',
  'source',
  'external_id',
  'subject',
  'priority',
  'company',
  'received_at',
  'picked_on',
  'is_advocate',
  'evidence_kinds',
  'action_id',
  'action_description',
  'action_theme',
  'action_owner',
  'action_status',
  'action_due_date',
  'action_closed_at',
] as const;

/** The customer's contact details, appended only with includePii. */
export const PII_COLUMNS = ['customer_name', 'customer_phone', 'customer_email'] as const;

/** One call attempt with its claim, complaint, pick and advocacy, flat for BI tools. Timestamps are ISO 8601 UTC. */
export interface ExportRow {
  attempt_id: number;
  attempted_at: string;
  executive: string;
  outcome: string;
  notes: string | null;
  follow_up_date: string | null;
  advocate_assessment: string | null;
  ok_to_quote: boolean;
  claim_id: number;
  claimed_at: string;
  complaint_id: number;
  source: string;
  external_id: string;
  subject: string;
  priority: ComplaintRow['priority'];
  company: string | null;
  received_at: string;
  /** The date the complaint was drawn as a daily pick, or null when it was claimed from the queue. */
  picked_on: string | null;
  /** Any evidence (at export time) that the customer became an advocate. */
  is_advocate: boolean;
  /** Every kind of evidence recorded for the complaint, sorted, joined with ";"; empty when none. */
  evidence_kinds: string;
  /** The action this call opened ("What should change?"), or null in every action column when it opened none. */
  action_id: number | null;
  /** Redacted like notes, unless includePii. */
  action_description: string | null;
  action_theme: string | null;
  /** Slack user ID of whoever is to make the change. */
  action_owner: string | null;
  /** open, done or wont_do, as of the export. */
  action_status: ActionStatus | null;
  action_due_date: string | null;
  /** When it was marked done or won't-do; null while open. */
  action_closed_at: string | null;
  /** Present only with includePii. */
  customer_name?: string | null;
  customer_phone?: string | null;
  customer_email?: string | null;
}

/** What to export: an inclusive range of dates (YYYY-MM-DD) in `timezone`. */
export interface ExportOptions {
  from: string;
  to: string;
  timezone: string;
  includePii: boolean;
  /** Rows per query; 1000 unless a test asks for less. */
  pageSize?: number;
}

/** Rows read per query: memory stays bounded whatever the range. */
export const EXPORT_PAGE_SIZE = 1000;

/** The half-open UTC interval [start, end) covering `from`..`to` inclusive as calendar days in `timezone`. */
export function exportInterval(from: string, to: string, timezone: string): { start: Date; end: Date } {
  if (!isRealDate(from) || !isRealDate(to)) throw new DomainError('invalid_input', 'dates must be real YYYY-MM-DD');
  if (from > to) throw new DomainError('invalid_input', `the range ends (${to}) before it starts (${from})`);
  return { start: zonedTimeToUtc(from, '00:00', timezone), end: zonedTimeToUtc(addDays(to, 1), '00:00', timezone) };
}

/** One row of a page as the export writes it. */
type ExportPageRow = Awaited<ReturnType<typeof findAttemptExportPage>>[number];

/**
 * A page row as an export row. Without includePii, free text an executive or customer typed goes through the
 * redaction policy and the contact columns are left out.
 */
function toExportRow(r: ExportPageRow, includePii: boolean): ExportRow {
  const known = { phone: r.customer_phone, email: r.customer_email };
  const clean = (text: string) => (includePii ? text : redactText(text, known));
  const row: ExportRow = {
    attempt_id: r.id,
    attempted_at: r.created_at.toISOString(),
    executive: r.executive,
    outcome: r.outcome,
    notes: r.notes === null ? null : clean(r.notes),
    follow_up_date: r.follow_up_date,
    advocate_assessment: r.advocate_assessment,
    ok_to_quote: r.ok_to_quote,
    claim_id: r.claim_id,
    claimed_at: r.claimed_at.toISOString(),
    complaint_id: r.complaint_id,
    source: r.source,
    external_id: r.external_id,
    subject: clean(r.subject),
    priority: r.priority,
    company: r.customer_company === null ? null : clean(r.customer_company),
    received_at: r.received_at.toISOString(),
    picked_on: r.pick_date,
    is_advocate: Boolean(r.is_advocate),
    evidence_kinds: r.evidence_kinds ?? '',
    action_id: r.action_id,
    action_description: r.action_description === null ? null : clean(r.action_description),
    action_theme: r.action_theme,
    action_owner: r.action_owner,
    action_status: r.action_status,
    action_due_date: r.action_due_date,
    action_closed_at: r.action_closed_at === null ? null : new Date(r.action_closed_at).toISOString(),
  };
  if (!includePii) return row;
  return { ...row, customer_name: r.customer_name, customer_phone: r.customer_phone, customer_email: r.customer_email };
}

/**
 * Every call attempt made from `from` to `to` (inclusive dates in `timezone`), one row each, in attempt-id order,
 * with the action the call opened. Reads 1000 rows at a time with keyset pagination on the attempt id, so memory
 * stays bounded and a page never shifts under the next (attempts are only ever appended). Contact details are left
 * out unless includePii, and notes, subject, company and the action's description are redacted
 * (privacy/redact.ts); with includePii they are added as columns and the text is left as written.
 */
export async function* exportAttempts(db: Kysely<Database>, options: ExportOptions): AsyncIterable<ExportRow> {
  const interval = exportInterval(options.from, options.to, options.timezone);
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  let afterId = 0;
  for (;;) {
    const page = await findAttemptExportPage(db, interval, afterId, pageSize);
    for (const r of page) yield toExportRow(r, options.includePii);
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    afterId = last.id;
  }
}
