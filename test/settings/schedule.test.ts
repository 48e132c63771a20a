import {
  describeSchedule,
  digestShape,
  holidayCalendars,
  isClockTime,
  MAX_OPTIONS,
  nextPickDates,
  type PickCalendar,
  parseSimpleCron,
  previewOf,
  scheduleModalModel,
  searchHolidayCountries,
  searchTimeZones,
  toCron,
  upcomingPicks,
} from '../../src/settings/schedule';
import type { EffectiveSetting } from '../../src/settings/settings';

describe('parseSimpleCron', () => {
  it.each([
    ['0 10 * * 1-5', { days: [1, 2, 3, 4, 5], time: '10:00' }],
    ['30 9 * * 1,3,5', { days: [1, 3, 5], time: '09:30' }],
    ['5 7 * * *', { days: [0, 1, 2, 3, 4, 5, 6], time: '07:05' }],
    ['0 9 * * 1', { days: [1], time: '09:00' }],
    ['0 18 * * 0,6', { days: [0, 6], time: '18:00' }],
    ['0 8 * * 7', { days: [0], time: '08:00' }],
    ['0 8 * * 5-7', { days: [0, 5, 6], time: '08:00' }],
    ['0 10 * * MON-FRI', { days: [1, 2, 3, 4, 5], time: '10:00' }],
    ['  0   10 * *  1-5 ', { days: [1, 2, 3, 4, 5], time: '10:00' }],
  ])('%s is %j', (cron, expected) => {
    expect(parseSimpleCron(cron)).toEqual(expected);
  });

  it.each([
    ['0 10 1 * *', 'a day of the month'],
    ['0 10 * 12 1-5', 'a month'],
    ['*/15 10 * * 1-5', 'a step'],
    ['0 9,14 * * 1-5', 'two hours'],
    ['0 0 10 * * 1-5', 'six fields (seconds)'],
    ['60 10 * * 1', 'minute 60'],
    ['0 24 * * 1', 'hour 24'],
    ['0 10 * * 8', 'day 8'],
    ['0 10 * * 5-1', 'a backwards range'],
    ['0 10 * * 1-5/2', 'a stepped range'],
    ['0 10 * *', 'four fields'],
    ['', 'nothing'],
  ])('%s (%s) is not simple', (cron) => {
    expect(parseSimpleCron(cron)).toBeUndefined();
  });
});

describe('toCron', () => {
  it.each([
    [{ days: [1, 2, 3, 4, 5], time: '10:00' }, '0 10 * * 1-5'],
    [{ days: [1, 3, 5], time: '09:30' }, '30 9 * * 1,3,5'],
    [{ days: [0, 1, 2, 3, 4, 5, 6], time: '07:05' }, '5 7 * * *'],
    [{ days: [0, 6], time: '00:00' }, '0 0 * * 0,6'],
    [{ days: [0, 1, 2, 4, 5, 6], time: '23:59' }, '59 23 * * 0-2,4-6'],
    [{ days: [5, 1, 1], time: '12:00' }, '0 12 * * 1,5'],
  ] as const)('%j is %s, and reads back the same', (schedule, cron) => {
    const days = [...schedule.days];
    expect(toCron({ days, time: schedule.time })).toBe(cron);
    expect(parseSimpleCron(cron)).toEqual({ days: [...new Set(days)].sort(), time: schedule.time });
  });

  it.each([[{ days: [], time: '10:00' }], [{ days: [1], time: '25:00' }], [{ days: [1], time: '9:00' }]] as const)(
    'refuses %j',
    (schedule) => {
      expect(() => toCron({ days: [...schedule.days], time: schedule.time })).toThrow('not a simple schedule');
    },
  );
});

describe('isClockTime and describeSchedule', () => {
  it.each([
    ['00:00', true],
    ['23:59', true],
    ['24:00', false],
    ['12:60', false],
    ['9:30', false],
    ['', false],
  ])('%s is a clock time: %s', (text, expected) => {
    expect(isClockTime(text)).toBe(expected);
  });

  it.each([
    ['0 10 * * 1-5', 'Mon–Fri at 10:00'],
    ['30 9 * * 1,3,5', 'Mon, Wed, Fri at 09:30'],
    ['0 8 * * *', 'every day at 08:00'],
    ['0 18 * * 0,6', 'Sat, Sun at 18:00'],
    ['0 9 * * 5-7', 'Fri–Sun at 09:00'],
    ['0 10 1 * *', 'custom: 0 10 1 * *'],
  ])('%s reads "%s"', (cron, text) => {
    expect(describeSchedule(cron)).toBe(text);
  });

  it('a digest of several days is custom in the modal (it picks one day)', () => {
    expect(digestShape('0 9 * * 1')).toEqual({ days: [1], time: '09:00' });
    expect(digestShape('0 9 * * 1,4')).toBeUndefined();
  });
});

const weekdays: PickCalendar = {
  pickSchedule: '0 10 * * 1-5',
  timezone: 'Europe/Paris',
  holidays: [],
  holidayCountry: undefined,
};

describe('nextPickDates', () => {
  // Monday 21 December 2026, 12:00 UTC (13:00 in Paris): today's 10:00 pick has passed.
  const from = new Date('2026-12-21T12:00:00Z');

  it('gives the next five weekdays at the time, in the zone', () => {
    const picks = nextPickDates(weekdays, from);
    expect(picks.map((p) => p.date)).toEqual(['2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-28']);
    expect(picks[0]?.at.toISOString()).toBe('2026-12-22T09:00:00.000Z');
  });

  it('skips listed holidays and the public holidays of a country', () => {
    const result = upcomingPicks({ ...weekdays, holidays: ['2026-12-24'], holidayCountry: 'FR' }, from, 5);
    expect(result.picks.map((p) => p.date)).toEqual([
      '2026-12-22',
      '2026-12-23',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
    ]);
    expect(result.skipped).toEqual([
      { date: '2026-12-24', reason: 'a listed holiday' },
      { date: '2026-12-25', reason: 'Christmas Day' },
    ]);
  });

  it('uses the zone for the date: 23:30 in Los Angeles is the next day in UTC', () => {
    const la = { ...weekdays, pickSchedule: '30 23 * * 1', timezone: 'America/Los_Angeles' };
    const [first] = nextPickDates(la, from, 1);
    expect(first?.date).toBe('2026-12-21');
    expect(first?.at.toISOString()).toBe('2026-12-22T07:30:00.000Z');
  });

  it('counts one pick per day for a schedule that fires several times a day', () => {
    const twice = { ...weekdays, pickSchedule: '0 9,15 * * *' };
    expect(nextPickDates(twice, from, 3).map((p) => p.date)).toEqual(['2026-12-21', '2026-12-22', '2026-12-23']);
  });

  it('reads a schedule that fires every minute day by day', () => {
    const dates = nextPickDates({ ...weekdays, pickSchedule: '* * * * *' }, from).map((p) => p.date);
    expect(dates).toEqual(['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25']);
  });

  it('gets past a zone that skips midnight (Santiago, DST on 6 September 2026) with each date once', () => {
    const santiago = { ...weekdays, pickSchedule: '30 0 * * *', timezone: 'America/Santiago' };
    const dates = nextPickDates(santiago, new Date('2026-09-04T12:00:00Z'), 5).map((p) => p.date);
    expect(new Set(dates).size).toBe(5);
    expect(dates[0]).toBe('2026-09-05');
  });

  it('stops searching when every date is a holiday, and honours n', () => {
    const onlyChristmas = { ...weekdays, pickSchedule: '0 10 25 12 *', holidayCountry: 'FR' };
    expect(nextPickDates(onlyChristmas, from)).toEqual([]);
    expect(nextPickDates(weekdays, from, 2)).toHaveLength(2);
  });

  it('previewOf says why there is no preview for a zone or cron that is not valid', () => {
    expect(previewOf({ ...weekdays, timezone: 'Mars/Olympus' }, from)).toEqual({
      ok: false,
      reason: 'Choose a time zone to see the next picks.',
    });
    expect(previewOf({ ...weekdays, pickSchedule: 'not a cron' }, from).ok).toBe(false);
    expect(previewOf(weekdays, from)).toMatchObject({ ok: true, timezone: 'Europe/Paris' });
  });
});

describe('searchTimeZones', () => {
  it.each([
    ['paris', 'Europe/Paris'],
    ['new york', 'America/New_York'],
    ['new_york', 'America/New_York'],
    ['UTC', 'UTC'],
    ['los', 'America/Los_Angeles'],
  ])('"%s" finds %s', (query, zone) => {
    expect(searchTimeZones(query).map((o) => o.value)).toContain(zone);
  });

  it('lists zones whose city starts with the text before those that only contain it', () => {
    const found = searchTimeZones('par').map((o) => o.value);
    expect(found[0]).toBe('America/Paramaribo');
    expect(found.indexOf('Europe/Paris')).toBeLessThan(found.length);
  });

  it('gives at most 100 options, labelled with spaces', () => {
    expect(searchTimeZones('')).toHaveLength(MAX_OPTIONS);
    expect(searchTimeZones('a')).toHaveLength(MAX_OPTIONS);
    expect(searchTimeZones('new york')[0]).toEqual({ value: 'America/New_York', label: 'America/New York' });
    expect(searchTimeZones('nowhere at all')).toEqual([]);
  });
});

describe('searchHolidayCountries', () => {
  it.each([
    ['fr', 'FR'],
    ['France', 'FR'],
    ['us-ca', 'US-CA'],
    ['california', 'US-CA'],
    ['germany', 'DE'],
  ])('"%s" finds %s', (query, code) => {
    expect(searchHolidayCountries(query).map((o) => o.value)).toContain(code);
  });

  it('names each option with its code, and gives at most 100', () => {
    expect(searchHolidayCountries('france')[0]).toEqual({ value: 'FR', label: 'France (FR)' });
    expect(holidayCalendars().length).toBeGreaterThan(MAX_OPTIONS);
    expect(searchHolidayCountries('')).toHaveLength(MAX_OPTIONS);
    expect(searchHolidayCountries('a')).toHaveLength(MAX_OPTIONS);
  });

  it('every option fits a Slack option (text 75, value 150)', () => {
    for (const c of holidayCalendars()) expect(c.value.length).toBeLessThanOrEqual(150);
  });
});

describe('scheduleModalModel', () => {
  const now = new Date('2026-12-21T12:00:00Z');
  const saved = { kind: 'slack', by: 'UADMIN001', at: now, via: 'slack' } as const;

  it('takes each value with its source, and falls back to the defaults', () => {
    const effective: EffectiveSetting[] = [
      { name: 'PICK_SCHEDULE', value: '30 9 * * 1,3,5', source: saved },
      { name: 'TIMEZONE', value: 'Europe/Paris', source: { kind: 'env' } },
      { name: 'HOLIDAYS', value: '2026-12-23, 2026-12-24', source: { kind: 'env' } },
      { name: 'HOLIDAY_COUNTRY', value: 'fr', source: saved },
    ];
    const model = scheduleModalModel(effective, now);
    expect(model.pick).toEqual({ cron: '30 9 * * 1,3,5', simple: { days: [1, 3, 5], time: '09:30' }, source: saved });
    expect(model.digest).toEqual({
      cron: '0 9 * * 1',
      simple: { days: [1], time: '09:00' },
      source: { kind: 'default' },
    });
    expect(model.timezone).toEqual({ value: 'Europe/Paris', source: { kind: 'env' } });
    expect(model.holidays.value).toEqual(['2026-12-23', '2026-12-24']);
    expect(model.holidayCountry).toEqual({ value: 'FR', label: 'France', source: saved });
    expect(model.preview).toMatchObject({ ok: true });
    if (model.preview.ok) {
      expect(model.preview.picks.map((p) => p.date)).toEqual([
        '2026-12-28',
        '2026-12-30',
        '2027-01-04',
        '2027-01-06',
        '2027-01-08',
      ]);
    }
  });

  it('keeps a cron of another shape as custom', () => {
    const model = scheduleModalModel([{ name: 'PICK_SCHEDULE', value: '0 10 1 * *', source: saved }], now);
    expect(model.pick.simple).toBeUndefined();
    expect(model.pick.cron).toBe('0 10 1 * *');
  });
});
