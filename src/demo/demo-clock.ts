import { addDays, dateInZone, weekOf, zonedTimeToUtc } from '../shared/time';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The demo's story time, in UTC (the demo's TIMEZONE). The story starts on the Monday of the week the demo runs
 * in, so the call on Monday and its action, done on Wednesday, fall in the week the digest then reports on,
 * whatever day the demo is run. Rows the database stamps itself (claims, calls) keep the real time, which is in
 * that same week. It only moves forward.
 */
export interface DemoClock {
  now(): Date;
  /** The moment `time` (HH:MM) on the story's day `day` (0 is its Monday). */
  at(day: number, time: string): Date;
  /** The story's day `day` as YYYY-MM-DD. */
  date(day: number): string;
  /** Moves the story to `moment`; never back. */
  advanceTo(moment: Date): void;
  /** The current moment as people read it: "Mon Dec 7, 09:30". */
  label(): string;
}

/** A moment of the story as people read it (UTC, the demo's TIMEZONE): "Mon Dec 7, 09:30". */
export function momentLabel(at: Date): string {
  const time = at.toISOString().slice(11, 16);
  return `${WEEKDAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}, ${time}`;
}

/** A story clock starting at 09:00 on the Monday of the week that contains `present`. */
export function createDemoClock(present: Date): DemoClock {
  const monday = weekOf(dateInZone(present, 'UTC')).start;
  const date = (day: number) => addDays(monday, day);
  const at = (day: number, time: string) => zonedTimeToUtc(date(day), time, 'UTC');
  let current = at(0, '09:00');
  return {
    now: () => new Date(current),
    at,
    date,
    advanceTo(moment) {
      if (moment.getTime() < current.getTime()) {
        throw new Error(
          `the demo's clock only moves forward (${moment.toISOString()} is before ${current.toISOString()})`,
        );
      }
      current = new Date(moment);
    },
    label: () => momentLabel(current),
  };
}
