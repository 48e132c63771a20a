import { sql, type Transaction } from 'kysely';
import type { ComplaintRow, Database, Db } from '../db/schema';
import { pickPostKey } from '../picks/pick.service';
import { escapeMrkdwn, oneLine } from '../shared/mrkdwn';
import { redactText } from './redact';

type Trx = Transaction<Database>;

/** What subject becomes on an erased complaint (the column is NOT NULL, and "[erased]" reads well in a digest). */
export const ERASED_SUBJECT = '[erased]';

/** The complaint columns an erasure clears, in the order the audit lists them. */
export const ERASABLE_COLUMNS = [
  'customer_name',
  'customer_company',
  'customer_phone',
  'customer_email',
  'customer_timezone',
  'subject',
  'description',
  'support_tried',
] as const;
/** One of the complaint columns an erasure clears. */
export type ErasableColumn = (typeof ERASABLE_COLUMNS)[number];

/** Rows changed per table by one erasure. */
export interface ErasureCounts {
  complaints: number;
  callAttemptNotes: number;
  claimReleaseReasons: number;
  evidenceNotes: number;
  /** Outbox rows whose payload was replaced (pending and sent). */
  outboxPayloads: number;
  /** Of those, pending deliveries that will now never be sent. */
  outboxCancelled: number;
  /** Stored digests from which a mention of the customer was masked. */
  digests: number;
  /** Actions whose text ("what should change", the reason it won't be done) mentioned the customer. */
  actionTexts: number;
}

/** One erased complaint: its id and the columns that held something before. */
export interface ErasedComplaint {
  id: number;
  fields: ErasableColumn[];
}

/** How an erasure finds a customer's complaints: by email (lower case), by phone, or one complaint by id. */
export type CustomerMatch =
  | { email: string }
  /** A phone matches on its E.164 form, or, where a stored number could not be read as one, on its digits. */
  | { phoneE164: string | null; phoneDigits: string }
  | { complaintId: number };

/** Ids of the complaints a customer match finds, in id order. */
export async function findComplaintIdsMatching(db: Db, match: CustomerMatch): Promise<number[]> {
  let query = db.selectFrom('complaints').select('id').orderBy('id');
  if ('email' in match) {
    // Adapters store what the help desk sent, so stored case varies; compare case-insensitively.
    query = query.where(sql<string>`lower(customer_email)`, '=', match.email);
  } else if ('phoneDigits' in match) {
    const { phoneE164, phoneDigits } = match;
    // Every format of one number has one E.164 (indexed); a stored number that could not be read has none, and is
    // matched by its digits instead (a partial index holds just those rows).
    query = query.where(({ or, and, eb }) =>
      or([
        ...(phoneE164 ? [eb('customer_phone_e164', '=', phoneE164)] : []),
        and([
          eb('customer_phone_e164', 'is', null),
          eb('customer_phone', 'is not', null),
          eb(sql<string>`regexp_replace(customer_phone, '[^0-9]', '', 'g')`, '=', phoneDigits),
        ]),
      ]),
    );
  } else {
    query = query.where('id', '=', match.complaintId);
  }
  return (await query.execute()).map((r) => r.id);
}

/**
 * Locks and returns the ids of up to `limit` complaints closed before `closedBefore` and not yet erased, lowest id
 * first. Rows another transaction holds are skipped, so concurrent runs take disjoint batches.
 */
export async function lockComplaintIdsClosedBefore(trx: Trx, closedBefore: Date, limit: number): Promise<number[]> {
  const rows = await trx
    .selectFrom('complaints')
    .select('id')
    .where('closed_at', '<', closedBefore)
    .where('pii_erased_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/** The counts of an erasure that found nothing to erase. */
const NOTHING_ERASED: Readonly<ErasureCounts> = Object.freeze({
  complaints: 0,
  callAttemptNotes: 0,
  claimReleaseReasons: 0,
  evidenceNotes: 0,
  outboxPayloads: 0,
  outboxCancelled: 0,
  digests: 0,
  actionTexts: 0,
});

/**
 * Erases the contact details and free text of these complaints and everything hanging off them: the complaint's
 * own columns, call notes, release reasons, survey comments, the payloads of the Slack messages about them
 * (pending ones are cancelled), and mentions in stored digests. Ids, outcomes, timestamps and evidence kinds stay,
 * so every count survives. Writes no audit row: the caller knows why it erases and records that.
 * Locks the complaints first, so a concurrent claim or delivery sees either all of it or none.
 */
export async function eraseComplaints(
  trx: Trx,
  complaintIds: readonly number[],
  erasedAt: Date,
): Promise<{ erased: ErasedComplaint[]; counts: ErasureCounts }> {
  const rows = complaintIds.length === 0 ? [] : await lockErasableComplaints(trx, [...new Set(complaintIds)]);
  if (rows.length === 0) return { erased: [], counts: { ...NOTHING_ERASED } };
  const found = rows.map((r) => r.id);

  // Read before the complaint columns are cleared: these are what the outbox and digests are searched for.
  const needles = await contentNeedles(trx, rows, found);
  const keys = await relatedOutboxKeys(trx, found);

  const erased = rows.map((r) => ({
    id: r.id,
    fields: ERASABLE_COLUMNS.filter((c) => r[c] !== null && !(c === 'subject' && r.subject === ERASED_SUBJECT)),
  }));
  const complaints = await clearComplaintColumns(trx, found, erasedAt);
  const freeText = await clearRelatedFreeText(trx, found);
  const outbox = await eraseOutbox(trx, keys, needles);
  const digests = await maskDigests(trx, needles);
  const actionTexts = await maskActionTexts(trx, found, needles);
  return {
    erased,
    counts: {
      complaints,
      ...freeText,
      outboxPayloads: outbox.payloads,
      outboxCancelled: outbox.cancelled,
      digests,
      actionTexts,
    },
  };
}

/** An erasable complaint as it stands before erasure. */
type ErasableComplaintRow = Pick<ComplaintRow, 'id' | ErasableColumn>;

/** Locks the complaints that exist among these ids and reads what an erasure clears, in id order. */
async function lockErasableComplaints(trx: Trx, ids: readonly number[]): Promise<ErasableComplaintRow[]> {
  return trx
    .selectFrom('complaints')
    .select(['id', ...ERASABLE_COLUMNS])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Clears the complaints' contact details and free text and stamps the erasure; returns how many rows changed. */
async function clearComplaintColumns(trx: Trx, ids: readonly number[], erasedAt: Date): Promise<number> {
  const updated = await trx
    .updateTable('complaints')
    .set({
      customer_name: null,
      customer_company: null,
      customer_phone: null,
      customer_phone_e164: null,
      customer_email: null,
      customer_timezone: null,
      subject: ERASED_SUBJECT,
      description: null,
      support_tried: null,
      // The first erasure is the one that counts; a repeat only sweeps up what arrived since.
      pii_erased_at: sql`coalesce(pii_erased_at, ${erasedAt})`,
      updated_at: erasedAt,
    })
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

/** Clears the call notes, release reasons and survey comments of these complaints; counts the rows of each. */
async function clearRelatedFreeText(
  trx: Trx,
  complaintIds: readonly number[],
): Promise<Pick<ErasureCounts, 'callAttemptNotes' | 'claimReleaseReasons' | 'evidenceNotes'>> {
  const notes = await trx
    .updateTable('call_attempts')
    .set({ notes: null })
    .where('complaint_id', 'in', complaintIds)
    .where('notes', 'is not', null)
    .executeTakeFirst();
  const reasons = await trx
    .updateTable('claims')
    .set({ release_reason: null })
    .where('complaint_id', 'in', complaintIds)
    .where('release_reason', 'is not', null)
    .executeTakeFirst();
  const comments = await trx
    .updateTable('advocacy_evidence')
    .set({ note: null })
    .where('complaint_id', 'in', complaintIds)
    .where('note', 'is not', null)
    .executeTakeFirst();
  return {
    callAttemptNotes: Number(notes.numUpdatedRows),
    claimReleaseReasons: Number(reasons.numUpdatedRows),
    evidenceNotes: Number(comments.numUpdatedRows),
  };
}

/** The contact details an erasure searches message text for. */
type ContactValues = Pick<ComplaintRow, 'customer_name' | 'customer_phone' | 'customer_email'>;

/**
 * The strings that identify these customers in message text: phone, email and name, in the forms the Slack
 * builders write them. A value that a complaint outside this erasure still holds is left out: messages about
 * that complaint are not this erasure's to remove, and its pending brief must still go out.
 */
async function contentNeedles(trx: Trx, rows: readonly ContactValues[], ids: readonly number[]): Promise<string[]> {
  const phones = rows.map((r) => r.customer_phone).filter((v): v is string => v !== null);
  const emails = rows.map((r) => r.customer_email?.toLowerCase()).filter((v): v is string => v !== undefined);
  const names = rows.map((r) => r.customer_name).filter((v): v is string => v !== null);
  if (phones.length + emails.length + names.length === 0) return [];

  const digits = (p: string) => p.replace(/\D/g, '');
  const phoneDigits = phones.map(digits).filter((d) => d.length > 0);
  const kept = await trx
    .selectFrom('complaints')
    .select(['customer_name', 'customer_phone', 'customer_email'])
    .where('id', 'not in', ids)
    .where(({ or, eb }) =>
      or([
        ...(emails.length ? [eb(sql<string>`lower(customer_email)`, 'in', emails)] : []),
        ...(phoneDigits.length
          ? [eb(sql<string>`regexp_replace(customer_phone, '[^0-9]', '', 'g')`, 'in', phoneDigits)]
          : []),
        ...(names.length ? [eb('customer_name', 'in', names)] : []),
      ]),
    )
    .execute();
  const keptPhones = new Set(kept.map((k) => (k.customer_phone ? digits(k.customer_phone) : '')));
  const keptEmails = new Set(kept.map((k) => k.customer_email?.toLowerCase()));
  const keptNames = new Set(kept.map((k) => k.customer_name));

  const needles = new Set<string>();
  for (const p of phones) {
    if (keptPhones.has(digits(p))) continue;
    // As stored, and as the brief's tel: link writes it.
    needles.add(p);
    needles.add(p.replace(/[^+\d]/g, ''));
  }
  for (const e of emails) {
    if (keptEmails.has(e)) continue;
    needles.add(e);
    needles.add(escapeMrkdwn(e));
    needles.add(encodeURI(e));
  }
  for (const n of names) {
    if (keptNames.has(n)) continue;
    needles.add(n);
    needles.add(oneLine(n));
    needles.add(escapeMrkdwn(oneLine(n)));
  }
  // Shorter than this, a "name" matches too much unrelated text to be a safe thing to erase by.
  return [...needles].filter((n) => n.trim().length >= 3);
}

/**
 * Dedupe keys of the outbox rows about these complaints, as the services that queue them spell them:
 * escalation notice and evidence request (complaint.service, reminder.service), the pick's post and its
 * follow-ups (pick.service), the brief, post updates and release (claim.service), attempt confirmations and
 * reminders (claim.service, reminder.service), the still-unhappy DM (advocacy.service), and the help-desk notes
 * and webhook events of each (calls/outgoing.ts: `pick:`, `claim:`, `attempt:` and `evidence:` keys).
 */
async function relatedOutboxKeys(
  trx: Trx,
  complaintIds: readonly number[],
): Promise<{ exact: string[]; prefixes: string[] }> {
  const claims = await trx.selectFrom('claims').select('id').where('complaint_id', 'in', complaintIds).execute();
  const attempts = await trx
    .selectFrom('call_attempts')
    .select('id')
    .where('complaint_id', 'in', complaintIds)
    .execute();
  const evidence = await trx
    .selectFrom('advocacy_evidence')
    .select('id')
    .where('complaint_id', 'in', complaintIds)
    .execute();
  const picks = await trx
    .selectFrom('picks')
    .select(['id', 'pick_date'])
    .where('complaint_id', 'in', complaintIds)
    .execute();
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const id of complaintIds) exact.push(`escalation:${id}`, `followup:${id}`);
  for (const p of picks) {
    exact.push(pickPostKey(p.pick_date), `reminder:unclaimed:${p.id}`);
    prefixes.push(`pick:${p.pick_date}:`);
  }
  for (const c of claims) {
    exact.push(`reminder:no-attempt:${c.id}`);
    prefixes.push(`claim:${c.id}:`);
  }
  for (const a of attempts) {
    exact.push(`reminder:follow-up:${a.id}`);
    prefixes.push(`attempt:${a.id}:`);
  }
  for (const e of evidence) prefixes.push(`survey:${e.id}:`, `evidence:${e.id}:`);
  return { exact, prefixes };
}

/** `%…%` for LIKE, with LIKE's own metacharacters taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The text as it appears inside jsonb's text form (quotes, backslashes and control characters escaped). */
function jsonInner(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** True when `needle` occurs in `text` as a whole token (not inside a longer word or number), ignoring case. */
function mentions(text: string, needle: string): boolean {
  const haystack = text.toLowerCase();
  const n = needle.toLowerCase();
  for (let at = haystack.indexOf(n); at !== -1; at = haystack.indexOf(n, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + n.length];
    if ((before === undefined || !WORD_CHAR.test(before)) && (after === undefined || !WORD_CHAR.test(after))) {
      return true;
    }
  }
  return false;
}

/** Every string inside a JSON value, keys included. */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsIn(v);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      yield k;
      yield* stringsIn(v);
    }
  }
}

/**
 * Replaces the payload of every outbox row about these complaints, or mentioning one of the needles, with
 * `{operation, erased: true}`. Pending rows become failed ("erased"): that message must never be sent.
 * Result channel and ts stay, so later edits of a sent post still find it. A message already leased by a worker
 * is in flight with its old payload and cannot be recalled from here.
 */
async function eraseOutbox(
  trx: Trx,
  keys: { exact: string[]; prefixes: string[] },
  needles: readonly string[],
): Promise<{ payloads: number; cancelled: number }> {
  const ids = new Set<number>();
  if (keys.exact.length + keys.prefixes.length > 0) {
    const byKey = await trx
      .selectFrom('outbox')
      .select('id')
      .where(({ or, eb }) =>
        or([
          ...(keys.exact.length ? [eb('dedupe_key', 'in', keys.exact)] : []),
          ...keys.prefixes.map((p) => eb('dedupe_key', 'like', `${p}%`)),
        ]),
      )
      // Already emptied by an earlier erasure: nothing to do, and not counted again.
      .where(sql<boolean>`NOT (payload ? 'erased')`)
      .execute();
    for (const r of byKey) ids.add(r.id);
  }
  if (needles.length > 0) {
    // A cheap substring prefilter in SQL; the exact whole-token check runs on the decoded strings below.
    const patterns = needles.map((n) => containsPattern(jsonInner(n)));
    const candidates = await trx
      .selectFrom('outbox')
      .select(['id', 'payload'])
      .where(sql<boolean>`payload::text ILIKE ANY (${sql.val(patterns)}::text[])`)
      .where(sql<boolean>`NOT (payload ? 'erased')`)
      .execute();
    for (const c of candidates) {
      const strings = [...stringsIn(c.payload)];
      if (needles.some((n) => strings.some((s) => mentions(s, n)))) ids.add(c.id);
    }
  }
  if (ids.size === 0) return { payloads: 0, cancelled: 0 };
  const list = [...ids];
  const cancelled = await trx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: 'erased', leased_until: null })
    .where('id', 'in', list)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const replaced = await trx
    .updateTable('outbox')
    .set({ payload: sql`jsonb_build_object('operation', operation, 'erased', true)` })
    .where('id', 'in', list)
    .executeTakeFirst();
  return { payloads: Number(replaced.numUpdatedRows), cancelled: Number(cancelled.numUpdatedRows) };
}

/** A copy of `value` with each whole-token mention of a needle in its strings replaced by "[erased]". */
function maskStrings(value: unknown, needles: readonly RegExp[]): unknown {
  if (typeof value === 'string') return needles.reduce((s, re) => s.replace(re, '$1[erased]'), value);
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, needles));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v, needles)]));
  }
  return value;
}

/**
 * Masks the customers' phone, email and name inside stored digests (quotes of call notes may carry them),
 * keeping every number the digest holds.
 */
async function maskDigests(trx: Trx, needles: readonly string[]): Promise<number> {
  if (needles.length === 0) return 0;
  const patterns = needles.map((n) => containsPattern(jsonInner(n)));
  const candidates = await trx
    .selectFrom('digests')
    .select(['id', 'metrics'])
    .where(sql<boolean>`metrics::text ILIKE ANY (${sql.val(patterns)}::text[])`)
    .execute();
  const regexes = needleRegexes(needles);
  let masked = 0;
  for (const c of candidates) {
    const next = maskStrings(c.metrics, regexes);
    if (JSON.stringify(next) === JSON.stringify(c.metrics)) continue;
    await trx
      .updateTable('digests')
      .set({ metrics: JSON.stringify(next) })
      .where('id', '=', c.id)
      .execute();
    masked += 1;
  }
  return masked;
}

/** Whole-token, case-insensitive patterns for the needles, capturing the character before each for maskStrings. */
function needleRegexes(needles: readonly string[]): RegExp[] {
  return needles.map(
    (n) => new RegExp(`(^|[^\\p{L}\\p{N}])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu'),
  );
}

/**
 * Masks these customers' phone, email and name, and any contact detail the redaction policy finds, in the text of
 * the actions their calls opened ("what should change", the reason it won't be done). The learning stays and the
 * action keeps its meaning; the person goes. Counts the actions changed.
 */
async function maskActionTexts(trx: Trx, complaintIds: readonly number[], needles: readonly string[]): Promise<number> {
  const rows = await trx
    .selectFrom('actions')
    .select(['id', 'description', 'close_reason'])
    .where('complaint_id', 'in', complaintIds)
    .execute();
  const regexes = needleRegexes(needles);
  const mask = (text: string) => redactText(maskStrings(text, regexes) as string);
  let masked = 0;
  for (const row of rows) {
    const description = mask(row.description);
    const closeReason = row.close_reason === null ? null : mask(row.close_reason);
    if (description === row.description && closeReason === row.close_reason) continue;
    await trx.updateTable('actions').set({ description, close_reason: closeReason }).where('id', '=', row.id).execute();
    masked += 1;
  }
  return masked;
}
