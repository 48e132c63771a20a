import { missedPickToday } from '../../src/scheduler/scheduler';

const config = { pickSchedule: '0 10 * * 1-5', timezone: 'America/New_York', holidays: ['2026-11-26'] };

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
