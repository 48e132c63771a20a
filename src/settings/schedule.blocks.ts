import type { InputBlock, PlainTextOption } from '@slack/types';
import type { Block, Modal } from '../ports/slack.port';
import { context, divider, inputBlock, option, plainText, section } from '../shared/blocks';
import { SettingsCallbackIds, SettingsOptionIds } from '../shared/ids';
import { escapeAndTruncate, escapeMrkdwn } from '../shared/mrkdwn';
import {
  describeSchedule,
  NO_HOLIDAY_COUNTRY,
  type PickDate,
  ScheduleBlocks,
  type ScheduleField,
  type ScheduleModalModel,
  type ScheduleModalPreview,
  timeZoneLabel,
  WEEKDAYS,
} from './schedule';
import { currentLine } from './setting-fields';

/** What the Schedule modal carries in private_metadata: whether it ends the first-run setup. */
export interface ScheduleModalMetadata {
  setup: boolean;
}

/** The checkbox options for the pick days, Monday first. */
const dayOptions = (): PlainTextOption[] => WEEKDAYS.map((w) => option(String(w.day), w.long));

/** A cron as inline code ("custom: `0 10 1 * *`"), or its simple description. */
function scheduleLabel(cron: string): string {
  const described = describeSchedule(cron);
  return described.startsWith('custom: ') ? `custom: \`${escapeMrkdwn(cron)}\`` : described;
}

/** The pick's days and time; a custom cron leaves them empty (and optional), so it is kept unless both are set. */
function pickBlocks(pick: ScheduleField): Block[] {
  const custom = pick.simple === undefined;
  const days = pick.simple ? dayOptions().filter((o) => pick.simple?.days.includes(Number(o.value) as 0)) : [];
  const keep = custom ? 'Leave days and time empty to keep the custom schedule.' : undefined;
  return [
    dispatching(
      inputBlock(
        ScheduleBlocks.pickDays,
        'Pick days',
        { type: 'checkboxes', options: dayOptions(), ...(days.length > 0 ? { initial_options: days } : {}) },
        custom,
        keep,
      ),
    ),
    dispatching(
      inputBlock(
        ScheduleBlocks.pickTime,
        'Pick time',
        { type: 'timepicker', ...(pick.simple ? { initial_time: pick.simple.time } : {}) },
        custom,
      ),
    ),
    context(currentLine(scheduleLabel(pick.cron), pick.source)),
  ];
}

/** The digest's day (one) and time; a digest cron of another shape is custom, kept unless both are set. */
function digestBlocks(digest: ScheduleField): Block[] {
  const custom = digest.simple === undefined;
  const day = digest.simple?.days[0];
  const initialDay = day === undefined ? undefined : dayOptions().find((o) => o.value === String(day));
  return [
    inputBlock(
      ScheduleBlocks.digestDay,
      'Weekly digest day',
      { type: 'static_select', options: dayOptions(), ...(initialDay ? { initial_option: initialDay } : {}) },
      custom,
      custom ? 'Leave day and time empty to keep the custom schedule.' : undefined,
    ),
    inputBlock(
      ScheduleBlocks.digestTime,
      'Weekly digest time',
      { type: 'timepicker', ...(digest.simple ? { initial_time: digest.simple.time } : {}) },
      custom,
    ),
    context(currentLine(scheduleLabel(digest.cron), digest.source)),
  ];
}

/** An input block that tells Pickup of each change, so the preview follows what the admin picks. */
function dispatching(block: InputBlock): InputBlock {
  return { ...block, dispatch_action: true };
}

/** An external select in an input block: its options come from Pickup (block_suggestion) under `actionId`. */
function externalSelect(
  blockId: string,
  actionId: string,
  label: string,
  initial: PlainTextOption | undefined,
  optional: boolean,
  placeholder: string,
  hint?: string,
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    dispatch_action: true,
    label: plainText(label),
    ...(hint ? { hint: plainText(hint) } : {}),
    element: {
      type: 'external_select',
      action_id: actionId,
      min_query_length: 1,
      placeholder: plainText(placeholder),
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

/** The zone, the listed holidays and the public-holiday calendar, each with its current value and source. */
function calendarBlocks(model: ScheduleModalModel): Block[] {
  const { timezone, holidays, holidayCountry } = model;
  const country = holidayCountry.value;
  const countryName = holidayCountry.label ?? country ?? '';
  return [
    externalSelect(
      ScheduleBlocks.timezone,
      SettingsOptionIds.timezone,
      'Time zone',
      option(timezone.value, timeZoneLabel(timezone.value)),
      false,
      'Type a city or zone, e.g. Paris',
    ),
    context(currentLine(escapeMrkdwn(timezone.value), timezone.source)),
    inputBlock(
      ScheduleBlocks.holidays,
      'Holidays (no pick)',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 3000,
        placeholder: plainText('2026-12-24, 2026-12-31'),
        ...(holidays.value.length > 0 ? { initial_value: holidays.value.join('\n').slice(0, 3000) } : {}),
      },
      true,
      'Dates as YYYY-MM-DD, separated by commas or new lines.',
    ),
    context(
      currentLine(
        holidays.value.length > 0 ? escapeAndTruncate(holidays.value.join(', '), 2000) : 'none',
        holidays.source,
      ),
    ),
    externalSelect(
      ScheduleBlocks.holidayCountry,
      SettingsOptionIds.holidayCountry,
      'Public holidays of (no pick)',
      country ? option(country, `${countryName} (${country})`) : undefined,
      true,
      'Type a country or region, e.g. France',
      'Type "none" to stop skipping public holidays.',
    ),
    context(currentLine(country ? escapeMrkdwn(`${countryName} (${country})`) : 'none', holidayCountry.source)),
  ];
}

/** "Mon 7 Dec, 10:00" in the zone. */
function pickLabel(pick: PickDate, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(pick.at);
}

/** "Fri 25 Dec" for a YYYY-MM-DD date. */
function dateLabel(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(
    new Date(`${date}T12:00:00Z`),
  );
}

/** The preview's text: the next pick dates, and the holidays skipped on the way. */
export function previewText(preview: ScheduleModalPreview): string {
  if (!preview.ok) return preview.reason;
  if (preview.picks.length === 0) return 'This schedule has no pick in the coming years: check the days and holidays.';
  const picks = preview.picks.map((p) => pickLabel(p, preview.timezone)).join(' · ');
  const skipped = preview.skipped
    .slice(0, 5)
    .map((s) => `${dateLabel(s.date)} (${escapeAndTruncate(s.reason, 80)})`)
    .join(', ');
  return `*Next picks* (${escapeMrkdwn(timeZoneLabel(preview.timezone))}): ${picks}${skipped ? `\nNo pick on ${skipped}.` : ''}`;
}

/** The preview block, alone: a dispatched change replaces the modal with a new one carrying it. */
export function previewBlock(preview: ScheduleModalPreview): Block {
  return { ...context(previewText(preview)), block_id: ScheduleBlocks.preview };
}

/**
 * The Schedule modal (callback_id settings_schedule): pick days and time, the digest's day and time, the time zone,
 * holidays as dates and a country's public holidays, each with its current value and source, and a preview of the
 * next five pick dates that follows the admin's changes. In setup mode it is the last step of the first-run guide.
 */
export function buildScheduleModal(model: ScheduleModalModel, options: { setup?: boolean } = {}): Modal {
  const setup = options.setup === true;
  const metadata: ScheduleModalMetadata = { setup };
  const intro = setup
    ? '*Last step:* when should Pickup draw the daily pick and post the weekly digest?'
    : 'When Pickup draws the daily pick and posts the weekly digest. Changes apply at once, without a restart.';
  return {
    type: 'modal',
    callback_id: SettingsCallbackIds.schedule,
    private_metadata: JSON.stringify(metadata),
    title: plainText('Schedule'),
    submit: plainText(setup ? 'Finish setup' : 'Save'),
    close: plainText(setup ? 'Back' : 'Cancel'),
    blocks: [
      section(intro),
      ...pickBlocks(model.pick),
      divider,
      ...digestBlocks(model.digest),
      divider,
      ...calendarBlocks(model),
      divider,
      previewBlock(model.preview),
    ],
  };
}

/** The option an external select shows for "no public holidays". */
export function noHolidayCountryOption(): PlainTextOption {
  return option(NO_HOLIDAY_COUNTRY, 'None: no public holidays');
}
