import { type CountryCode, findPhoneNumbersInText, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The one redaction policy: what a customer's contact details become in any text bound for someone other than the
 * executive who claimed the complaint (channel posts, the digest, stats, other people's App Home, exports without
 * --include-pii, log lines). Phones are found by libphonenumber-js, emails by one pattern; each is replaced by a
 * short marker so the text still reads.
 */

/**
 * The country whose national format ("(415) 555-0142") is read without a "+", and that phones written without a
 * country code are stored as. Pickup has no per-workspace country setting, so this is the United States.
 */
export const DEFAULT_PHONE_COUNTRY: CountryCode = 'US';

/**
 * Further countries whose national numbers are recognised in free text, but only when written with their trunk
 * prefix 0 ("020 7946 0958"): without it their short forms read like order numbers and ids, so a bare digit run is
 * left to the default country alone. International numbers ("+49 30 901820") are recognised for every country.
 */
export const NATIONAL_FORMAT_COUNTRIES: readonly CountryCode[] = ['GB', 'FR', 'AU', 'IN'];

/** What an email address becomes. */
export const EMAIL_MARKER = '[email]';
/** What a phone number becomes. */
export const PHONE_MARKER = '[phone]';

/** A complaint's own stored contact details, removed wherever they appear verbatim (and in any phone format). */
export interface KnownContacts {
  phone?: string | null | undefined;
  email?: string | null | undefined;
}

// Emails, also percent-encoded (`%40`) inside URLs. The local part is optional: "@acme.example" alone still names
// a small customer, and so does what an earlier, partial mask left ("[redacted]@acme.example").
const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]*(?:@|%40)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/giu;
// The cheap pre-check: a run of at least 7 digits with the separators people type in phone numbers. Only these runs
// (with a character of context each side) are handed to the phone library, never a whole text.
const PHONE_RUN = /(?:\+|%2B)?\(?\d(?:[\s.\-\u2010-\u2015/()]{0,3}\d){6,}/gi;
// JSON string escapes (log lines are JSON, and a logged body is JSON inside JSON: "\\n"), blanked to the same
// length in the copy that is scanned, so that its offsets are offsets in the text and "\njane@…" or "\n+1 415…"
// read as an email or a number, not "njane@…".
const JSON_ESCAPE = /\\+(?:u[0-9a-fA-F]{4}|[bfnrt"/])?/g;
// For phones, a percent-encoded "+" too ("%2B14155550142" in a query string).
const ENCODED_PLUS = /%2B(?=\d)/gi;
const TRUNK_PREFIXED = /^\(?0/;
// Runs shaped like what logs and messages are full of and no phone is written as: a pure digit run of 13 or more
// (epoch milliseconds), a date (2026-11-23, 29.11.2026, 11/29/2026), a Slack message ts (1732350000.000100).
// Skipping them keeps the library (tens to hundreds of microseconds a call) off most lines.
const NOT_A_PHONE = /^(?:\d{13,}|\d{4}-\d{2}-\d{2}(?:[ T]\d{2})?|\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{9,10}\.\d{6})$/;

/** The digits of a string. */
const digitsOf = (s: string) => s.replace(/\D/g, '');

/**
 * A phone number in E.164 ("+12025550177"), read in `defaultCountry` when it has no "+", or null when it cannot be
 * a phone number (wrong length for its country, no digits). Stored beside the number as given, so `forget --phone`
 * finds every format of the same number.
 */
export function toE164(phone: string, defaultCountry: CountryCode = DEFAULT_PHONE_COUNTRY): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim(), defaultCountry);
  return parsed?.isPossible() ? parsed.number : null;
}

/**
 * True when the text may hold an email address or a phone number: an "@" (or "%40"), or a digit run long enough
 * for a phone and not shaped like a date, a Slack ts or epoch milliseconds. Text that fails this is returned
 * untouched at the cost of two regex scans; only the runs that pass are handed to libphonenumber.
 */
export function mayHoldContacts(text: string): boolean {
  return /@|%40/i.test(text) || hasPhoneRun(text);
}

/** The runs that could be phone numbers (see PHONE_RUN and NOT_A_PHONE), with where they are. */
function phoneRuns(text: string, firstOnly = false): { start: number; end: number; run: string }[] {
  const runs: { start: number; end: number; run: string }[] = [];
  PHONE_RUN.lastIndex = 0;
  for (let m = PHONE_RUN.exec(text); m !== null; m = PHONE_RUN.exec(text)) {
    const run = m[0];
    if (NOT_A_PHONE.test(run)) continue;
    runs.push({ start: m.index, end: m.index + run.length, run });
    if (firstOnly) break;
  }
  return runs;
}

function hasPhoneRun(text: string): boolean {
  return phoneRuns(text, true).length > 0;
}

type Range = { start: number; end: number; marker: string };

function blankJsonEscapes(text: string): string {
  return text.replace(JSON_ESCAPE, (m) => ' '.repeat(m.length));
}

/** Every occurrence of `needle` in `text`, ignoring case. */
function occurrences(text: string, needle: string, marker: string): Range[] {
  const ranges: Range[] = [];
  if (needle.length < 3) return ranges;
  const haystack = text.toLowerCase();
  const n = needle.toLowerCase();
  for (let at = haystack.indexOf(n); at !== -1; at = haystack.indexOf(n, at + n.length)) {
    ranges.push({ start: at, end: at + n.length, marker });
  }
  return ranges;
}

function emailRanges(text: string, view: string, known: KnownContacts): Range[] {
  const ranges: Range[] = [];
  for (const m of view.matchAll(EMAIL_PATTERN)) {
    ranges.push({ start: m.index, end: m.index + m[0].length, marker: EMAIL_MARKER });
  }
  const email = known.email?.trim();
  if (email) {
    for (const form of new Set([email, email.replace('@', '%40'), encodeURIComponent(email)])) {
      ranges.push(...occurrences(text, form, EMAIL_MARKER));
    }
  }
  return ranges;
}

/** The known phone as given and as libphonenumber reads it, for comparing with what it finds in text. */
interface KnownPhone {
  raw: string;
  digits: string;
  e164: string | undefined;
  national: string | undefined;
  country: CountryCode | undefined;
}

function knownPhone(known: KnownContacts): KnownPhone | undefined {
  const raw = known.phone?.trim();
  if (!raw) return undefined;
  const parsed = parsePhoneNumberFromString(raw, DEFAULT_PHONE_COUNTRY);
  return {
    raw,
    digits: digitsOf(raw),
    e164: parsed?.number,
    national: parsed?.nationalNumber,
    country: parsed?.country,
  };
}

/** The countries whose formats are tried on one run (see NATIONAL_FORMAT_COUNTRIES). */
function countriesFor(run: string, known: KnownPhone | undefined): Set<CountryCode> {
  const countries = new Set<CountryCode>([DEFAULT_PHONE_COUNTRY]);
  if (TRUNK_PREFIXED.test(run)) for (const c of NATIONAL_FORMAT_COUNTRIES) countries.add(c);
  // The customer's own country, so their number in its national format is found too (and only their number).
  if (known?.country) countries.add(known.country);
  return countries;
}

/**
 * Phone numbers libphonenumber finds in the candidate runs. Each run goes to the library with one character of
 * context either side (it refuses a number glued to a letter), never the whole text: a long message or log line
 * costs a few short parses, not one long one per country.
 */
function libraryPhoneRanges(text: string, view: string, known: KnownPhone | undefined): Range[] {
  const ranges: Range[] = [];
  for (const candidate of phoneRuns(view)) {
    const from = Math.max(0, candidate.start - 1);
    const window = view.slice(from, candidate.end + 1);
    for (const country of countriesFor(candidate.run, known)) {
      for (const found of findPhoneNumbersInText(window, { defaultCountry: country })) {
        const written = window.slice(found.startsAt, found.endsAt);
        const accepted =
          country === DEFAULT_PHONE_COUNTRY ||
          written.startsWith('+') ||
          (NATIONAL_FORMAT_COUNTRIES.includes(country) && TRUNK_PREFIXED.test(written)) ||
          (known?.e164 !== undefined && found.number.number === known.e164);
        if (!accepted) continue;
        let start = from + found.startsAt;
        // A "%2B" that the scanned copy turned into "+" belongs to the number.
        if (text.slice(start - 2, start + 1).toUpperCase() === '%2B') start -= 2;
        ranges.push({ start, end: from + found.endsAt, marker: PHONE_MARKER });
      }
    }
  }
  return ranges;
}

/** Digit runs that are the customer's own number in any spelling, including its local part alone ("555-0142"). */
function knownPhoneRanges(text: string, view: string, known: KnownPhone): Range[] {
  const ranges = occurrences(text, known.raw, PHONE_MARKER);
  const forms = new Set(
    [known.digits, known.e164 ? digitsOf(known.e164) : '', known.national ?? ''].filter((d) => d.length >= 7),
  );
  if (forms.size === 0) return ranges;
  for (const { start, end, run } of phoneRuns(view)) {
    const d = digitsOf(run);
    if ([...forms].some((f) => d === f || d.endsWith(f) || f.endsWith(d))) {
      ranges.push({ start, end, marker: PHONE_MARKER });
    }
  }
  return ranges;
}

/** Overlapping ranges become one; an email wins the marker over a phone inside it. */
function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      if (r.marker === EMAIL_MARKER) last.marker = EMAIL_MARKER;
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

/**
 * Removes contact details from free text: the complaint's own phone and email wherever they appear (in any phone
 * format), any email address (also percent-encoded in a URL), and any phone number in the common national and
 * international formats. Each becomes {@link EMAIL_MARKER} or {@link PHONE_MARKER}. Text with nothing that could be
 * one (see {@link mayHoldContacts}) is returned as it is without calling the phone library, which keeps this cheap
 * enough for every log line.
 */
export function redactText(text: string, known: KnownContacts = {}): string {
  const phone = knownPhone(known);
  const hasKnown = Boolean(phone || known.email?.trim());
  if (!hasKnown && !mayHoldContacts(text)) return text;
  const view = blankJsonEscapes(text);
  const ranges = emailRanges(text, view, known);
  const phoneView = view.replace(ENCODED_PLUS, '  +');
  if (phone || hasPhoneRun(phoneView)) {
    ranges.push(...libraryPhoneRanges(text, phoneView, phone));
    if (phone) ranges.push(...knownPhoneRanges(text, phoneView, phone));
  }
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const r of merge(ranges)) {
    out += text.slice(at, r.start) + r.marker;
    at = r.end;
  }
  return out + text.slice(at);
}
