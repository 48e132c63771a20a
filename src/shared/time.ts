/**
 * The real wall clock, read by the process roots only (main.ts, the CLI, the demo): everything below them is handed
 * a `now`, so a test's clock sets every timestamp Pickup writes. Durations and timers use the real clocks directly.
 */
export const systemClock = (): Date => new Date();

/** Milliseconds in a 24-hour day: windows like "the last 30 days" count these, not calendar days. */
export const DAY_MS = 86_400_000;

const knownZones = new Map<string, boolean>();

/**
 * True for an IANA time zone name this runtime knows, such as Europe/Paris. Remembered per name: building an
 * Intl.DateTimeFormat costs more than the rest of validating a webhook, and a help desk sends few distinct zones.
 */
export function isTimeZone(tz: string): boolean {
  let known = knownZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      known = true;
    } catch {
      // Intl's RangeError is the answer itself (a zone this runtime does not know), not a failure to report.
      known = false;
    }
    // Bounded, because the names come from outside.
    if (knownZones.size < 1000) knownZones.set(tz, known);
  }
  return known;
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function dateInZone(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Wall-clock parts of an instant in a time zone. */
export function partsInZone(at: Date, timeZone: string): { hour: number; minute: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { hour: Number(get('hour')), minute: Number(get('minute')), weekday };
}

/** "Tue 14:05" in a zone, for the customer's local time in the brief. */
export function localTimeLabel(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a YYYY-MM-DD string naming a real calendar day (not 2026-02-30). */
export function isRealDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The Monday-to-Sunday week (YYYY-MM-DD both ends) that contains a date. */
export function weekOf(date: string): { start: string; end: string } {
  if (!isRealDate(date)) throw new Error(`not a real date as YYYY-MM-DD: "${date}"`);
  const d = new Date(`${date}T00:00:00Z`);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  const start = addDays(date, -sinceMonday);
  return { start, end: addDays(start, 6) };
}

/** The last Monday-to-Sunday week that is over, in a time zone. */
export function lastCompleteWeek(now: Date, timeZone: string): { start: string; end: string } {
  return weekOf(addDays(weekOf(dateInZone(now, timeZone)).start, -7));
}

/** The instants a week covers: from midnight Monday to midnight the next Monday, in the zone (DST-aware). */
export function weekBounds(weekStart: string, timeZone: string): { from: Date; to: Date } {
  const week = weekOf(weekStart);
  return {
    from: zonedTimeToUtc(week.start, '00:00', timeZone),
    to: zonedTimeToUtc(addDays(week.end, 1), '00:00', timeZone),
  };
}

/** The UTC instant at which a wall-clock time on a date begins in a zone (DST-aware). */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  // Two passes settle the zone offset, including on DST change days.
  let result = guess;
  for (let i = 0; i < 2; i++) {
    const offset = zoneOffsetMs(result, timeZone);
    result = new Date(guess.getTime() - offset);
  }
  return result;
}

function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** "today", "yesterday", "3 days ago", "5 hours ago": how long ago something arrived. */
export function ageLabel(from: Date, now: Date): string {
  const hours = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 3_600_000));
  if (hours < 1) return 'just now';
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}
