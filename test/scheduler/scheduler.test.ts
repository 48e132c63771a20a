import { Cron } from 'croner';
import { jobsToReplan, missedPickToday, nextPickRun } from '../../src/scheduler/scheduler';

const config = {
  pickSchedule: '0 10 * * 1-5',
  timezone: 'America/New_York',
  holidays: ['2026-11-26'],
  holidayCountry: undefined,
};

describe('missedPickToday (catch-up on start-up)', () => {
  it.each([
    ['a weekday after pick time', '2026-11-24T15:30:00Z', true], // Tue 10:30 New York
    ['a weekday before pick time', '2026-11-24T14:30:00Z', false], // Tue 09:30
    ['a weekend after pick time', '2026-11-28T18:00:00Z', false], // Saturday
    ['a holiday after pick time', '2026-11-26T18:00:00Z', false], // Thanksgiving, listed in HOLIDAYS
    ['late evening, still the same local day', '2026-11-25T04:30:00Z', true], // Tue 23:30 New York
  ])('%s → %s', (_label, iso, expected) => {
    expect(missedPickToday(config, new Date(iso))).toBe(expected);
  });

  it('follows the zone across the DST change', () => {
    // 2026-03-09 is the first Monday after US clocks spring forward: 10:00 New York is 14:00 UTC.
    expect(missedPickToday(config, new Date('2026-03-09T13:59:00Z'))).toBe(false);
    expect(missedPickToday(config, new Date('2026-03-09T14:01:00Z'))).toBe(true);
  });
});

describe('holidays from HOLIDAY_COUNTRY count as listed ones', () => {
  // Thanksgiving (26 Nov 2026) is a public holiday in the US calendar; Christmas Day 2026 is a Friday.
  const us = { ...config, holidays: [], holidayCountry: 'US' };

  it('has no catch-up pick on a public holiday of the calendar', () => {
    expect(missedPickToday(us, new Date('2026-11-26T18:00:00Z'))).toBe(false);
    expect(missedPickToday({ ...us, holidayCountry: undefined }, new Date('2026-11-26T18:00:00Z'))).toBe(true);
    expect(missedPickToday({ ...us, holidayCountry: 'FR' }, new Date('2026-11-26T18:00:00Z'))).toBe(true);
  });

  it.each([
    ['a listed holiday', config, '2026-11-25T16:00:00Z', '2026-11-27T15:00:00.000Z'],
    ['a public holiday of HOLIDAY_COUNTRY', us, '2026-11-25T16:00:00Z', '2026-11-27T15:00:00.000Z'],
    ['Christmas and the weekend after it', us, '2026-12-24T16:00:00Z', '2026-12-28T15:00:00.000Z'],
    ['no holiday', { ...config, holidays: [] }, '2026-11-25T16:00:00Z', '2026-11-26T15:00:00.000Z'],
    [
      'the rest of a holiday, at once',
      { ...us, pickSchedule: '* * * * *' },
      '2026-11-26T06:00:00Z',
      '2026-11-27T05:00:00.000Z',
    ],
  ])('the next pick skips %s', (_label, settings, after, expected) => {
    const cron = new Cron(settings.pickSchedule, { timezone: settings.timezone, paused: true });
    expect(nextPickRun(cron, settings, new Date(after))?.toISOString()).toBe(expected);
  });

  it('finds no next pick for a schedule that never lands on a working day', () => {
    const cron = new Cron('0 10 25 12 *', { timezone: 'UTC', paused: true });
    expect(nextPickRun(cron, { ...us, timezone: 'UTC' }, new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('jobsToReplan', () => {
  it.each([
    [['PICK_SCHEDULE'], ['pick']],
    [['DIGEST_SCHEDULE'], ['digest']],
    [
      ['PICK_SCHEDULE', 'DIGEST_SCHEDULE'],
      ['pick', 'digest'],
    ],
    [['TIMEZONE'], ['pick', 'digest', 'reminders', 'retention']],
    [['EXECUTIVES', 'HOLIDAYS', 'HOLIDAY_COUNTRY'], []],
  ] as const)('%j → %j', (changed, expected) => {
    expect(jobsToReplan(changed)).toEqual(expected);
  });
});
