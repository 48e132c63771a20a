import {
  holidayCountries,
  holidayCountryName,
  holidayOn,
  holidayRegions,
  isHolidayCountry,
  publicHolidays,
} from '../../src/shared/holidays';

// The calendars come from the maintained date-holidays package; these pin the few facts Pickup relies on.

describe('holiday calendars (HOLIDAY_COUNTRY)', () => {
  it('knows countries by ISO code, with English names, and their regions', () => {
    expect(holidayCountries().FR).toBe('France');
    expect(holidayCountries().GB).toBeDefined();
    expect(Object.keys(holidayCountries()).length).toBeGreaterThan(100);
    expect(holidayRegions('US').CA).toBe('California');
    expect(holidayRegions('XX')).toEqual({});
  });

  it.each([
    ['FR', true],
    ['fr', true],
    ['US-CA', true],
    ['de-by', true],
    ['XX', false],
    ['US-XX', false],
    ['US-CA-LA', false],
    ['', false],
    ['France', false],
  ])('isHolidayCountry(%p) is %p', (code, known) => {
    expect(isHolidayCountry(code)).toBe(known);
  });

  it('names a calendar for people', () => {
    expect(holidayCountryName('fr')).toBe('France');
    expect(holidayCountryName('US-CA')).toMatch(/, California$/);
    expect(holidayCountryName('XX')).toBe('XX');
  });

  it("lists a year's public holidays only, by date", () => {
    const france = publicHolidays('FR', 2026);
    expect(france.get('2026-07-14')).toBeDefined();
    expect(france.get('2026-12-25')).toBeDefined();
    expect(france.get('2026-05-01')).toBeDefined();
    expect(france.has('2026-07-15')).toBe(false);
    for (const date of france.keys()) expect(date).toMatch(/^2026-\d{2}-\d{2}$/);
    // A region adds its own: St. Stephen's Day is public in Moselle (57), not in France as a whole.
    expect(france.has('2026-12-26')).toBe(false);
    expect(publicHolidays('FR-57', 2026).has('2026-12-26')).toBe(true);
    // The same answer again (cached), whatever the case of the code.
    expect(publicHolidays('fr', 2026)).toBe(france);
  });

  it('tells why a date has no pick: a listed holiday, a public one, or none on a working day', () => {
    const settings = { holidays: ['2026-12-24'], holidayCountry: 'US' };
    expect(holidayOn(settings, '2026-12-24')).toBe('a listed holiday');
    expect(holidayOn(settings, '2026-12-25')).toMatch(/Christmas/);
    expect(holidayOn(settings, '2026-07-04')).toMatch(/Independence/);
    expect(holidayOn(settings, '2026-12-23')).toBeUndefined();
    expect(holidayOn({ holidays: [], holidayCountry: undefined }, '2026-12-25')).toBeUndefined();
  });
});
