import { z } from 'zod';
import { isHolidayCountry } from '../shared/holidays';
import { isRealDate, isTimeZone } from '../shared/time';
import type { FormErrors, FormResult, ViewValues } from '../shared/view-state';
import {
  holidayItems,
  isClockTime,
  NO_HOLIDAY_COUNTRY,
  type PickCalendar,
  previewOf,
  ScheduleBlocks,
  type ScheduleField,
  type ScheduleModalModel,
  type ScheduleModalPreview,
  type SimpleSchedule,
  toCron,
  type Weekday,
} from './schedule';
import type { ScheduleModalMetadata } from './schedule.blocks';
import type { SettingName, SettingsChange } from './settings';

/** One input's state as the Schedule modal's elements send it (checkboxes, timepicker, selects, text). */
const inputState = z.object({
  value: z.string().nullish(),
  selected_time: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});
type InputState = z.infer<typeof inputState>;

const weekday = z.enum(['0', '1', '2', '3', '4', '5', '6']).transform((d) => Number(d) as Weekday);

/** The state of the block's one input, checked by shape; a block absent or of another shape reads as empty. */
function stateOf(values: ViewValues, blockId: string): InputState {
  const block = values[blockId];
  const parsed = inputState.safeParse(block ? Object.values(block)[0] : undefined);
  return parsed.success ? parsed.data : {};
}

/** What was entered for a weekly schedule: the days (as typed values) and the time, either may be missing. */
interface WeeklyEntry {
  days: string[];
  time: string | undefined;
}

function pickEntry(values: ViewValues): WeeklyEntry {
  return {
    days: (stateOf(values, ScheduleBlocks.pickDays).selected_options ?? []).map((o) => o.value),
    time: stateOf(values, ScheduleBlocks.pickTime).selected_time ?? undefined,
  };
}

function digestEntry(values: ViewValues): WeeklyEntry {
  const day = stateOf(values, ScheduleBlocks.digestDay).selected_option?.value;
  return {
    days: day === undefined ? [] : [day],
    time: stateOf(values, ScheduleBlocks.digestTime).selected_time ?? undefined,
  };
}

/** How a weekly schedule is shown and read: its blocks, and the words of its errors. */
interface WeeklyForm {
  daysBlock: string;
  timeBlock: string;
  noDays: string;
  noTime: string;
}

const PICK_FORM: WeeklyForm = {
  daysBlock: ScheduleBlocks.pickDays,
  timeBlock: ScheduleBlocks.pickTime,
  noDays: 'Tick at least one day for the pick.',
  noTime: 'Choose the time of the pick.',
};

const DIGEST_FORM: WeeklyForm = {
  daysBlock: ScheduleBlocks.digestDay,
  timeBlock: ScheduleBlocks.digestTime,
  noDays: 'Choose the day of the digest.',
  noTime: 'Choose the time of the digest.',
};

const sameSchedule = (a: SimpleSchedule, b: SimpleSchedule) =>
  a.time === b.time && a.days.length === b.days.length && a.days.every((d, i) => d === b.days[i]);

/**
 * The new cron of a weekly schedule, or undefined when it stays as it is (the same days and time, or a custom cron
 * left empty). A custom cron is replaced only when both days and time are given; a simple one needs both.
 */
function parseWeekly(
  entry: WeeklyEntry,
  field: ScheduleField,
  form: WeeklyForm,
  errors: FormErrors,
): string | undefined {
  const custom = field.simple === undefined;
  if (custom && entry.days.length === 0 && entry.time === undefined) return undefined;
  const days = z.array(weekday).safeParse(entry.days);
  const keep = custom ? ' Or leave both empty to keep the custom schedule.' : '';
  if (!days.success) errors[form.daysBlock] = 'Choose days from the list.';
  else if (days.data.length === 0) errors[form.daysBlock] = `${form.noDays}${keep}`;
  if (entry.time === undefined) errors[form.timeBlock] = `${form.noTime}${keep}`;
  else if (!isClockTime(entry.time)) errors[form.timeBlock] = 'Choose a time as HH:MM, e.g. 09:30.';
  if (!days.success || days.data.length === 0 || entry.time === undefined || !isClockTime(entry.time)) return undefined;
  const schedule = { days: [...new Set(days.data)].sort((a, b) => a - b), time: entry.time };
  // The same days and time keep the cron's own text ("MON-FRI" stays), so nothing is recorded as changed.
  if (field.simple && sameSchedule(field.simple, schedule)) return undefined;
  return toCron(schedule);
}

/** The chosen zone; an unknown one is an error (an option Pickup never offered, or a zone this runtime lacks). */
function parseTimezone(values: ViewValues, errors: FormErrors): string | undefined {
  const zone = stateOf(values, ScheduleBlocks.timezone).selected_option?.value;
  if (zone === undefined) errors[ScheduleBlocks.timezone] = 'Choose a time zone.';
  else if (!isTimeZone(zone))
    errors[ScheduleBlocks.timezone] = `"${zone}" is not a time zone; choose one from the list.`;
  else return zone;
  return undefined;
}

/** The typed holiday dates, each once; any that is not a real YYYY-MM-DD date is an error naming it. */
function parseHolidays(values: ViewValues, errors: FormErrors): string[] {
  const items = [...new Set(holidayItems(stateOf(values, ScheduleBlocks.holidays).value ?? undefined))];
  const bad = items.filter((d) => !isRealDate(d));
  if (bad.length > 0) {
    const named = bad
      .slice(0, 3)
      .map((d) => `"${d.slice(0, 20)}"`)
      .join(', ');
    errors[ScheduleBlocks.holidays] =
      `${named}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''} ${bad.length === 1 ? 'is not a date' : 'are not dates'}: write real dates as YYYY-MM-DD, e.g. 2026-12-25.`;
  }
  return items.filter(isRealDate);
}

/** The chosen public-holiday calendar ("FR", "US-CA"), or undefined for none. */
function parseCountry(values: ViewValues, errors: FormErrors): string | undefined {
  const code = stateOf(values, ScheduleBlocks.holidayCountry).selected_option?.value;
  if (code === undefined || code === NO_HOLIDAY_COUNTRY) return undefined;
  if (!isHolidayCountry(code)) {
    errors[ScheduleBlocks.holidayCountry] = 'Choose a country or region from the list.';
    return undefined;
  }
  return code.toUpperCase();
}

/**
 * Validates the Schedule modal against what it showed (`model`, the settings as they stand) and returns only the
 * settings that change: saving an untouched modal changes nothing and records nothing. A custom cron is kept unless
 * the admin sets both days and time.
 */
export function parseScheduleForm(values: ViewValues, model: ScheduleModalModel): FormResult<SettingsChange> {
  const errors: FormErrors = {};
  const pick = parseWeekly(pickEntry(values), model.pick, PICK_FORM, errors);
  const digest = parseWeekly(digestEntry(values), model.digest, DIGEST_FORM, errors);
  const timezone = parseTimezone(values, errors);
  const holidays = parseHolidays(values, errors);
  const country = parseCountry(values, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const change: SettingsChange = {};
  if (pick !== undefined) change.PICK_SCHEDULE = pick;
  if (digest !== undefined) change.DIGEST_SCHEDULE = digest;
  if (timezone !== undefined && timezone !== model.timezone.value) change.TIMEZONE = timezone;
  if (holidays.join(',') !== model.holidays.value.join(',')) {
    change.HOLIDAYS = holidays.length > 0 ? holidays.join(',') : null;
  }
  if (country !== model.holidayCountry.value) change.HOLIDAY_COUNTRY = country ?? null;
  return { ok: true, value: change };
}

/**
 * The preview of what the modal holds while the admin edits it: the days, time, zone, holidays and country as
 * entered (a zone or holiday not valid yet counts as not entered); a pick schedule still incomplete says so.
 */
export function previewFromState(values: ViewValues, model: ScheduleModalModel, now: Date): ScheduleModalPreview {
  const errors: FormErrors = {};
  const entry = pickEntry(values);
  const pick = parseWeekly(entry, model.pick, PICK_FORM, errors);
  if (errors[ScheduleBlocks.pickDays] || errors[ScheduleBlocks.pickTime]) {
    return { ok: false, reason: 'Tick the pick days and choose a time to see the next picks.' };
  }
  // The state carries every input as shown (its initial option included), so an empty one means none chosen.
  const calendar: PickCalendar = {
    pickSchedule: pick ?? model.pick.cron,
    timezone: parseTimezone(values, errors) ?? model.timezone.value,
    holidays: parseHolidays(values, errors),
    holidayCountry: parseCountry(values, errors),
  };
  return previewOf(calendar, now);
}

/** Where each setting of the Schedule modal is shown, for the settings service's refusals. */
export const SCHEDULE_SETTING_BLOCKS: Partial<Record<SettingName, string>> = {
  PICK_SCHEDULE: ScheduleBlocks.pickTime,
  DIGEST_SCHEDULE: ScheduleBlocks.digestTime,
  TIMEZONE: ScheduleBlocks.timezone,
  HOLIDAYS: ScheduleBlocks.holidays,
  HOLIDAY_COUNTRY: ScheduleBlocks.holidayCountry,
};

const metadataSchema = z.object({ setup: z.boolean() });

/** The modal's private_metadata; anything else (an older modal) reads as not in setup. */
export function scheduleMetadata(privateMetadata: string): ScheduleModalMetadata {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(privateMetadata));
    return parsed.success ? parsed.data : { setup: false };
  } catch {
    // Text that is not JSON is a modal Pickup did not write this way: treated as an ordinary, non-setup one.
    return { setup: false };
  }
}
