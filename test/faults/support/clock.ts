import path from 'node:path';
import { isBusinessHours } from '../../../src/calls/reminder.service';
import { partsInZone } from '../../../src/shared/time';

/** The `--require` preload that shifts a bot's wall clock by PICKUP_FAULT_CLOCK_OFFSET_MS. */
export const SHIFT_CLOCK_PRELOAD = path.join(__dirname, 'shift-clock.cjs');

/** Where a shifted bot believes it is in time. */
export interface ClockPlan {
  /** Add to the real Date.now() to get the bot's now. */
  offsetMs: number;
  /** A fixed-offset IANA zone (Etc/GMT±N) in which the bot's now is a weekday, 10:00 to 16:00. */
  timezone: string;
  /** The bot's-clock instant of the first five-minute cron tick after start-up (reminders run every five minutes). */
  tickAt: Date;
}

const FIVE_MINUTES = 5 * 60_000;

/** Etc/GMT zones name the offset with the opposite sign: Etc/GMT-3 is UTC+3. */
function fixedZone(hoursEast: number): string {
  if (hoursEast === 0) return 'Etc/GMT';
  return hoursEast > 0 ? `Etc/GMT-${hoursEast}` : `Etc/GMT+${-hoursEast}`;
}

/**
 * Plans a clock for bots that must meet a five-minute tick soon, inside business hours, whatever the real time:
 * the nearest five-minute boundary at least `leadMs` away at which some fixed-offset zone is on a weekday between
 * 10:00 and 16:00 (so the tick and the minutes after it are business hours there). On a weekday that is a shift
 * of under five minutes; on a weekend it moves the bots to the coming Monday.
 */
export function planBusinessHoursClock(realNow: number, leadMs: number): ClockPlan {
  const first = Math.ceil((realNow + leadMs) / FIVE_MINUTES) * FIVE_MINUTES;
  for (let tick = first; tick < first + 8 * 24 * 3_600_000; tick += FIVE_MINUTES) {
    for (let hoursEast = -12; hoursEast <= 14; hoursEast++) {
      const timezone = fixedZone(hoursEast);
      const { hour } = partsInZone(new Date(tick), timezone);
      if (hour >= 10 && hour < 16 && isBusinessHours(new Date(tick), timezone)) {
        return { offsetMs: tick - leadMs - realNow, timezone, tickAt: new Date(tick) };
      }
    }
  }
  throw new Error('no business-hours zone within a week: partsInZone or isBusinessHours is broken');
}
