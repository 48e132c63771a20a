import { Cron } from 'croner';
import { holidayCountries, holidayCountryName, holidayOn, holidayRegions } from '../shared/holidays';
import { addDays, DAY_MS, dateInZone, isTimeZone, zonedTimeToUtc } from '../shared/time';
import type { EffectiveSetting, SettingName, SettingSource } from './settings';

/**
 * The schedule as an admin sees it: days ticked and a time, rather than cron. PICK_SCHEDULE and DIGEST_SCHEDULE stay
 * cron (the environment's format, and what the scheduler runs); this file converts the simple "M H * * days" shape
 * both ways, and leaves any other cron alone, shown as "custom: <cron>", until the admin picks days and a time.
 */

/** A weekday as cron numbers it: 0 Sunday … 6 Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** The weekdays in the order the modal lists them (Monday first), with their labels. */
export const WEEKDAYS: readonly { day: Weekday; short: string; long: string }[] = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 0, short: 'Sun', long: 'Sunday' },
];

/** A schedule of the simple shape: these weekdays (sorted, none twice), at this wall-clock time ("HH:MM"). */
export interface SimpleSchedule {
  days: Weekday[];
  time: string;
}

const DAY_NAMES: Record<string, Weekday> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a wall-clock time "HH:MM" (00:00 to 23:59), as Slack's timepicker gives it. */
export function isClockTime(text: string): boolean {
  return TIME.test(text);
}

/** One day of week field item ("1", "MON", "7" for Sunday too) as a weekday, or undefined. */
function weekdayOf(item: string): Weekday | undefined {
  const named = DAY_NAMES[item.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d$/.test(item)) return undefined;
  const n = Number(item);
  return n <= 7 ? ((n % 7) as Weekday) : undefined;
}

/** The weekdays of a cron day-of-week field made of "*", single days and ranges ("1-5", "1,3,5", "MON-FRI"). */
function parseDays(field: string): Weekday[] | undefined {
  if (field === '*') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<Weekday>();
  for (const item of field.split(',')) {
    const [from, to, ...rest] = item.split('-');
    if (rest.length > 0 || from === undefined) return undefined;
    const start = weekdayOf(from);
    // "7" is Sunday at the end of a range (5-7), so ranges are walked on 0..7 and folded afterwards.
    const end = to === undefined ? start : to === '7' ? 7 : weekdayOf(to);
    if (start === undefined || end === undefined || end < start) return undefined;
    for (let d = start; d <= end; d++) days.add((d % 7) as Weekday);
  }
  return [...days].sort((a, b) => a - b);
}

/** The cron's days and time when it has the simple "M H * * days" shape; undefined for anything else. */
export function parseSimpleCron(cron: string): SimpleSchedule | undefined {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return undefined;
  const [minute = '', hour = '', dayOfMonth, month, weekdays = ''] = parts;
  if (dayOfMonth !== '*' || month !== '*' || !/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour)) return undefined;
  if (Number(minute) > 59 || Number(hour) > 23) return undefined;
  const days = parseDays(weekdays);
  if (!days || days.length === 0) return undefined;
  return { days, time: `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}` };
}

/** The cron day-of-week field for a set of days: "*", ranges of three or more ("1-5"), else a list ("0,6"). */
function daysField(days: readonly Weekday[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const first = sorted[i];
    const last = sorted[j];
    if (j - i >= 2) parts.push(`${first}-${last}`);
    else parts.push(...sorted.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return parts.join(',');
}

/** The cron text of a simple schedule: "30 9 * * 1-5" for weekdays at 09:30. */
export function toCron(schedule: SimpleSchedule): string {
  const match = TIME.exec(schedule.time);
  if (!match || schedule.days.length === 0) {
    throw new Error(`not a simple schedule: ${JSON.stringify(schedule)}`);
  }
  return `${Number(match[2])} ${Number(match[1])} * * ${daysField(schedule.days)}`;
}

/** "Mon–Fri at 10:00", "Mon, Wed at 09:30", "every day at 08:00", or "custom: <cron>" for other shapes. */
export function describeSchedule(cron: string): string {
  const simple = parseSimpleCron(cron);
  if (!simple) return `custom: ${cron}`;
  return `${describeDays(simple.days)} at ${simple.time}`;
}

/** "Mon–Fri", "Mon, Wed, Fri", "every day": days in the modal's order (Monday first). */
export function describeDays(days: readonly Weekday[]): string {
  if (days.length === 7) return 'every day';
  const ordered = WEEKDAYS.filter((w) => days.includes(w.day));
  const indexes = ordered.map((w) => WEEKDAYS.indexOf(w));
  const consecutive = indexes.every((ix, k) => k === 0 || ix === (indexes[k - 1] ?? 0) + 1);
  if (consecutive && ordered.length >= 3) return `${ordered[0]?.short}–${ordered[ordered.length - 1]?.short}`;
  return ordered.map((w) => w.short).join(', ');
}

/** What decides the days with a pick: the schedule in its zone, and the holidays skipped. */
export interface PickCalendar {
  pickSchedule: string;
  timezone: string;
  holidays: readonly string[];
  holidayCountry: string | undefined;
}

/** A date the pick will run: the instant it fires and the date (YYYY-MM-DD) in the zone. */
export interface PickDate {
  at: Date;
  date: string;
}

/** A date the schedule fires that has no pick, and why (a listed date, or the public holiday's name). */
export interface SkippedDate {
  date: string;
  reason: string;
}

// A schedule that fires only on holidays, or on a date years away, must not keep the preview searching: it looks
// two years ahead at most (each year's public holidays cost a calendar read).
const HORIZON_DAYS = 731;

/** The next `n` pick dates after `from` and the holidays skipped on the way; fewer when the schedule runs dry. */
export function upcomingPicks(
  calendar: PickCalendar,
  from: Date,
  n = 5,
): { picks: PickDate[]; skipped: SkippedDate[] } {
  const cron = new Cron(calendar.pickSchedule, { timezone: calendar.timezone, paused: true });
  const picks: PickDate[] = [];
  const skipped: SkippedDate[] = [];
  const horizon = from.getTime() + HORIZON_DAYS * DAY_MS;
  const seen = new Set<string>();
  let cursor: Date = from;
  while (picks.length < n) {
    const run = cron.nextRun(cursor);
    if (!run || run.getTime() > horizon) break;
    const date = dateInZone(run, calendar.timezone);
    if (!seen.has(date)) {
      seen.add(date);
      const reason = holidayOn(calendar, date);
      if (reason === undefined) picks.push({ at: run, date });
      else skipped.push({ date, reason });
    }
    // The pick is per date: a schedule that fires several times a day still makes one, so go on from the next day.
    // Never backwards, even where a zone skips midnight (a DST change at 00:00), so each date is read once.
    const nextDay = zonedTimeToUtc(addDays(date, 1), '00:00', calendar.timezone).getTime() - 1;
    cursor = new Date(Math.max(nextDay, run.getTime()));
  }
  return { picks, skipped };
}

/** The next `n` pick dates after `from`, in the schedule's zone, holidays (listed and public) skipped. */
export function nextPickDates(calendar: PickCalendar, from: Date, n = 5): PickDate[] {
  return upcomingPicks(calendar, from, n).picks;
}

/** An option an external select offers: the value saved, and the text shown. */
export interface SearchOption {
  value: string;
  label: string;
}

/** The most options Slack shows for an external select. */
export const MAX_OPTIONS = 100;

let zones: readonly string[] | undefined;

/** Every IANA zone this runtime knows, and UTC (which Intl lists under its canonical zones only as "Etc/UTC"). */
export function timeZones(): readonly string[] {
  zones ??= Object.freeze([...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])]);
  return zones;
}

/** A zone's label: the name with spaces for underscores ("America/New York"). */
export function timeZoneLabel(zone: string): string {
  return zone.replace(/_/g, ' ');
}

/** Lowercased, with spaces, underscores and hyphens alike, so "new york" finds "America/New_York". */
function searchable(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** The items whose searchable texts contain the query: those starting with it first, at most `limit`. */
function rank<T>(items: readonly T[], texts: (item: T) => string[], query: string, limit: number): T[] {
  const q = searchable(query.trim());
  if (!q) return items.slice(0, limit);
  const starts: T[] = [];
  const contains: T[] = [];
  for (const item of items) {
    const hay = texts(item).map(searchable);
    if (hay.some((t) => t.startsWith(q) || t.includes(`/${q}`) || t.includes(`, ${q}`))) starts.push(item);
    else if (hay.some((t) => t.includes(q))) contains.push(item);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** The time zones matching typed text ("paris", "america/new", "utc"), at most 100. */
export function searchTimeZones(query: string, limit = MAX_OPTIONS): SearchOption[] {
  return rank(timeZones(), (zone) => [zone], query, limit).map((zone) => ({ value: zone, label: timeZoneLabel(zone) }));
}

let calendars: readonly SearchOption[] | undefined;

/** Every holiday calendar: each country ("FR", "France"), then each region ("US-CA", "United States …, California"). */
export function holidayCalendars(): readonly SearchOption[] {
  if (!calendars) {
    const countries = Object.entries(holidayCountries()).map(([code, name]) => ({ value: code, label: name }));
    const regions = countries.flatMap((country) =>
      Object.entries(holidayRegions(country.value)).map(([code, name]) => ({
        value: `${country.value}-${code}`,
        label: `${country.label}, ${name}`,
      })),
    );
    calendars = Object.freeze([...countries, ...regions]);
  }
  return calendars;
}

/** The holiday calendars matching typed text, by code or name ("fr", "france", "us-ca", "california"), at most 100. */
export function searchHolidayCountries(query: string, limit = MAX_OPTIONS): SearchOption[] {
  return rank(holidayCalendars(), (c) => [c.value, c.label], query, limit).map((c) => ({
    value: c.value,
    label: `${c.label} (${c.value})`,
  }));
}

/** One schedule setting as the modal shows it: its cron, its simple shape when it has one, and where it comes from. */
export interface ScheduleField {
  cron: string;
  simple: SimpleSchedule | undefined;
  source: SettingSource;
}

/** Everything the Schedule modal shows: each setting's value and source, and the next pick dates. */
export interface ScheduleModalModel {
  pick: ScheduleField;
  digest: ScheduleField;
  timezone: { value: string; source: SettingSource };
  holidays: { value: string[]; source: SettingSource };
  holidayCountry: { value: string | undefined; label: string | undefined; source: SettingSource };
  preview: ScheduleModalPreview;
}

/** The next pick dates, or why they cannot be shown (a schedule or zone being edited that is not valid yet). */
export type ScheduleModalPreview =
  | { ok: true; picks: PickDate[]; skipped: SkippedDate[]; timezone: string }
  | { ok: false; reason: string };

/** The preview of a calendar, or the reason there is none (an invalid cron or zone). */
export function previewOf(calendar: PickCalendar, now: Date): ScheduleModalPreview {
  if (!isTimeZone(calendar.timezone)) return { ok: false, reason: 'Choose a time zone to see the next picks.' };
  try {
    return { ok: true, ...upcomingPicks(calendar, now, 5), timezone: calendar.timezone };
  } catch {
    // croner's refusal is the answer here: the admin is still editing, so the preview says so instead of failing.
    return { ok: false, reason: 'Tick the pick days and choose a time to see the next picks.' };
  }
}

const csvItems = (text: string | undefined) =>
  (text ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The Schedule modal's model from the effective settings (each with its source), previewed from `now`. */
export function scheduleModalModel(effective: readonly EffectiveSetting[], now: Date): ScheduleModalModel {
  const setting = (name: SettingName): EffectiveSetting =>
    effective.find((s) => s.name === name) ?? { name, value: undefined, source: { kind: 'default' } };
  const field = (name: 'PICK_SCHEDULE' | 'DIGEST_SCHEDULE', fallback: string): ScheduleField => {
    const s = setting(name);
    const cron = s.value ?? fallback;
    return { cron, simple: name === 'PICK_SCHEDULE' ? parseSimpleCron(cron) : digestShape(cron), source: s.source };
  };
  const pick = field('PICK_SCHEDULE', '0 10 * * 1-5');
  const timezone = setting('TIMEZONE');
  const holidays = setting('HOLIDAYS');
  const country = setting('HOLIDAY_COUNTRY');
  const countryCode = country.value?.toUpperCase();
  const calendar: PickCalendar = {
    pickSchedule: pick.cron,
    timezone: timezone.value ?? 'UTC',
    holidays: csvItems(holidays.value),
    holidayCountry: countryCode,
  };
  return {
    pick,
    digest: field('DIGEST_SCHEDULE', '0 9 * * 1'),
    timezone: { value: calendar.timezone, source: timezone.source },
    holidays: { value: [...calendar.holidays], source: holidays.source },
    holidayCountry: {
      value: countryCode,
      label: countryCode ? holidayCountryName(countryCode) : undefined,
      source: country.source,
    },
    preview: previewOf(calendar, now),
  };
}

/** The digest's simple shape: one day and a time (the modal picks one day); any other cron is custom. */
export function digestShape(cron: string): SimpleSchedule | undefined {
  const simple = parseSimpleCron(cron);
  return simple?.days.length === 1 ? simple : undefined;
}

/** Splits the holidays' text (comma or newline separated) into its dates, as typed. */
export function holidayItems(text: string | undefined): string[] {
  return csvItems(text);
}

/** Block ids of the Schedule modal (callback_id settings_schedule). */
export const ScheduleBlocks = {
  pickDays: 'pick_days',
  pickTime: 'pick_time',
  digestDay: 'digest_day',
  digestTime: 'digest_time',
  timezone: 'timezone',
  holidays: 'holidays',
  holidayCountry: 'holiday_country',
  preview: 'preview',
} as const;

/** The holiday-country option that clears the setting (Slack offers no way to empty a chosen select). */
export const NO_HOLIDAY_COUNTRY = 'none';
