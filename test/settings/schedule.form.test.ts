import { type ScheduleModalModel, scheduleModalModel } from '../../src/settings/schedule';
import {
  parseScheduleForm,
  previewFromState,
  SCHEDULE_SETTING_BLOCKS,
  scheduleMetadata,
} from '../../src/settings/schedule.form';
import { problemErrors } from '../../src/settings/setting-fields';
import type { EffectiveSetting } from '../../src/settings/settings';
import type { ViewValues } from '../../src/shared/view-state';

const NOW = new Date('2026-12-21T12:00:00Z');

/** The inputs of the Schedule modal as Slack sends them; undefined leaves an input empty. */
interface Entered {
  days?: string[];
  time?: string | null;
  digestDay?: string | null;
  digestTime?: string | null;
  zone?: string | null;
  holidays?: string | null;
  country?: string | null;
}

function values(e: Entered): ViewValues {
  const option = (v: string | null | undefined) => (v ? { value: v } : null);
  return {
    pick_days: { value: { type: 'checkboxes', selected_options: (e.days ?? []).map((value) => ({ value })) } },
    pick_time: { value: { type: 'timepicker', selected_time: e.time ?? null } as never },
    digest_day: { value: { type: 'static_select', selected_option: option(e.digestDay) } },
    digest_time: { value: { type: 'timepicker', selected_time: e.digestTime ?? null } as never },
    timezone: { settings_timezone: { type: 'external_select', selected_option: option(e.zone) } },
    holidays: { value: { type: 'plain_text_input', value: e.holidays ?? null } },
    holiday_country: { settings_holiday_country: { type: 'external_select', selected_option: option(e.country) } },
  };
}

/** What the default modal shows, untouched: weekdays at 10:00, digest Monday 09:00, UTC. */
const untouched: Entered = {
  days: ['1', '2', '3', '4', '5'],
  time: '10:00',
  digestDay: '1',
  digestTime: '09:00',
  zone: 'UTC',
};

function model(effective: EffectiveSetting[] = []): ScheduleModalModel {
  return scheduleModalModel(effective, NOW);
}

const saved = { kind: 'slack', by: 'UADMIN001', at: NOW, via: 'slack' } as const;

describe('parseScheduleForm', () => {
  it.each<[string, Entered, Record<string, string | null>]>([
    ['untouched: nothing changes', untouched, {}],
    ['new days and time', { ...untouched, days: ['1', '3', '5'], time: '09:30' }, { PICK_SCHEDULE: '30 9 * * 1,3,5' }],
    ['every day', { ...untouched, days: ['0', '1', '2', '3', '4', '5', '6'] }, { PICK_SCHEDULE: '0 10 * * *' }],
    ['a new digest', { ...untouched, digestDay: '5', digestTime: '17:00' }, { DIGEST_SCHEDULE: '0 17 * * 5' }],
    ['a new zone', { ...untouched, zone: 'Europe/Paris' }, { TIMEZONE: 'Europe/Paris' }],
    [
      'holidays, commas and lines, each once',
      { ...untouched, holidays: '2026-12-24, 2026-12-31\n2027-01-01\n2026-12-24' },
      { HOLIDAYS: '2026-12-24,2026-12-31,2027-01-01' },
    ],
    ['a country', { ...untouched, country: 'FR' }, { HOLIDAY_COUNTRY: 'FR' }],
    ['a region', { ...untouched, country: 'US-CA' }, { HOLIDAY_COUNTRY: 'US-CA' }],
  ])('%s', (_name, entered, change) => {
    expect(parseScheduleForm(values(entered), model())).toEqual({ ok: true, value: change });
  });

  it.each<[string, Entered, Record<string, string>]>([
    ['no pick day ticked', { ...untouched, days: [] }, { pick_days: 'Tick at least one day for the pick.' }],
    ['no pick time', { ...untouched, time: null }, { pick_time: 'Choose the time of the pick.' }],
    ['a time that is no time', { ...untouched, time: '25:00' }, { pick_time: 'Choose a time as HH:MM, e.g. 09:30.' }],
    ['a day never offered', { ...untouched, days: ['1', '9'] }, { pick_days: 'Choose days from the list.' }],
    ['no digest day', { ...untouched, digestDay: null }, { digest_day: 'Choose the day of the digest.' }],
    ['no digest time', { ...untouched, digestTime: null }, { digest_time: 'Choose the time of the digest.' }],
    ['no zone', { ...untouched, zone: null }, { timezone: 'Choose a time zone.' }],
    [
      'a zone never offered',
      { ...untouched, zone: 'Mars/Olympus' },
      { timezone: '"Mars/Olympus" is not a time zone; choose one from the list.' },
    ],
    [
      'an impossible holiday',
      { ...untouched, holidays: '2026-12-24, 2027-02-30' },
      { holidays: '"2027-02-30" is not a date: write real dates as YYYY-MM-DD, e.g. 2026-12-25.' },
    ],
    [
      'many bad holidays',
      { ...untouched, holidays: 'christmas, 24/12, 2026-13-01, 2026-1-1' },
      {
        holidays:
          '"christmas", "24/12", "2026-13-01" and 1 more are not dates: write real dates as YYYY-MM-DD, e.g. 2026-12-25.',
      },
    ],
    [
      'a country never offered',
      { ...untouched, country: 'ZZ' },
      { holiday_country: 'Choose a country or region from the list.' },
    ],
  ])('%s is an inline error', (_name, entered, errors) => {
    expect(parseScheduleForm(values(entered), model())).toEqual({ ok: false, errors });
  });

  it('reports every invalid field at once', () => {
    const result = parseScheduleForm(values({ days: [], time: null, zone: null }), model());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual([
        'digest_day',
        'digest_time',
        'pick_days',
        'pick_time',
        'timezone',
      ]);
    }
  });

  describe('a custom cron', () => {
    const custom = model([
      { name: 'PICK_SCHEDULE', value: '0 10 1 * *', source: saved },
      { name: 'DIGEST_SCHEDULE', value: '0 9 * * 1,4', source: saved },
    ]);
    const blank: Entered = { zone: 'UTC' };

    it('is kept when days and time are left empty', () => {
      expect(parseScheduleForm(values(blank), custom)).toEqual({ ok: true, value: {} });
    });

    it('is replaced when both are set', () => {
      expect(
        parseScheduleForm(
          values({ ...blank, days: ['2'], time: '08:15', digestDay: '1', digestTime: '09:00' }),
          custom,
        ),
      ).toEqual({
        ok: true,
        value: { PICK_SCHEDULE: '15 8 * * 2', DIGEST_SCHEDULE: '0 9 * * 1' },
      });
    });

    it('asks for the other half when only one is set', () => {
      const result = parseScheduleForm(values({ ...blank, time: '08:15' }), custom);
      expect(result).toEqual({
        ok: false,
        errors: { pick_days: 'Tick at least one day for the pick. Or leave both empty to keep the custom schedule.' },
      });
    });
  });

  it('keeps the text of a cron with the same days and time (MON-FRI is not re-recorded as 1-5)', () => {
    const named = model([{ name: 'PICK_SCHEDULE', value: '0 10 * * MON-FRI', source: { kind: 'env' } }]);
    expect(parseScheduleForm(values(untouched), named)).toEqual({ ok: true, value: {} });
  });

  it('clears a country with "none" or nothing chosen, and the holidays when emptied', () => {
    const set = model([
      { name: 'HOLIDAY_COUNTRY', value: 'FR', source: saved },
      { name: 'HOLIDAYS', value: '2026-12-24', source: saved },
    ]);
    expect(parseScheduleForm(values({ ...untouched, country: 'none' }), set)).toEqual({
      ok: true,
      value: { HOLIDAYS: null, HOLIDAY_COUNTRY: null },
    });
    expect(parseScheduleForm(values({ ...untouched, country: 'FR', holidays: '2026-12-24' }), set)).toEqual({
      ok: true,
      value: {},
    });
  });

  it('reads a modal whose inputs are missing or malformed as empty', () => {
    const result = parseScheduleForm(
      { pick_days: { value: { type: 'checkboxes', selected_options: 'x' as never } } },
      model(),
    );
    expect(result.ok).toBe(false);
  });
});

describe('previewFromState', () => {
  it('follows the days, time, zone and country as entered', () => {
    const preview = previewFromState(
      values({ ...untouched, days: ['1'], time: '08:00', zone: 'Europe/Paris', country: 'FR' }),
      model(),
      NOW,
    );
    expect(preview).toMatchObject({ ok: true, timezone: 'Europe/Paris' });
    if (preview.ok) {
      expect(preview.picks.map((p) => p.date)).toEqual([
        '2026-12-28',
        '2027-01-04',
        '2027-01-11',
        '2027-01-18',
        '2027-01-25',
      ]);
      expect(preview.picks[0]?.at.toISOString()).toBe('2026-12-28T07:00:00.000Z');
    }
  });

  it('skips the holidays typed so far, ignoring those not yet valid', () => {
    const preview = previewFromState(values({ ...untouched, holidays: '2026-12-22, 2026-12-3' }), model(), NOW);
    expect(preview.ok && preview.skipped).toEqual([{ date: '2026-12-22', reason: 'a listed holiday' }]);
  });

  it('says what is missing while the pick days or time are incomplete', () => {
    expect(previewFromState(values({ ...untouched, days: [] }), model(), NOW)).toEqual({
      ok: false,
      reason: 'Tick the pick days and choose a time to see the next picks.',
    });
  });

  it('uses the country as shown, and none once "none" is chosen', () => {
    const fr = model([{ name: 'HOLIDAY_COUNTRY', value: 'FR', source: saved }]);
    const kept = previewFromState(values({ ...untouched, country: 'FR' }), fr, NOW);
    expect(kept.ok && kept.skipped.map((s) => s.date)).toContain('2026-12-25');
    const none = previewFromState(values({ ...untouched, country: 'none' }), fr, NOW);
    expect(none.ok && none.picks.map((p) => p.date)).toContain('2026-12-25');
  });
});

describe('scheduleMetadata and problemErrors', () => {
  it.each([
    ['{"setup":true}', { setup: true }],
    ['{"setup":false}', { setup: false }],
    ['', { setup: false }],
    ['not json', { setup: false }],
    ['{"setup":"yes"}', { setup: false }],
  ])('%s reads %j', (text, expected) => {
    expect(scheduleMetadata(text)).toEqual(expected);
  });

  it('puts each refusal under its setting, the rest under the fallback with the name', () => {
    const errors = problemErrors(
      [
        { name: 'PICK_SCHEDULE', message: 'must be a cron expression such as "0 10 * * 1-5"' },
        { name: 'HOLIDAYS', message: 'each date must be YYYY-MM-DD' },
        { name: 'EXECUTIVES', message: 'list at least one ID' },
      ],
      SCHEDULE_SETTING_BLOCKS,
      'pick_days',
    );
    expect(errors).toEqual({
      pick_time: 'Must be a cron expression such as "0 10 * * 1-5"',
      holidays: 'Each date must be YYYY-MM-DD',
      pick_days: 'EXECUTIVES list at least one ID',
    });
  });
});
