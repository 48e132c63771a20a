import Holidays from 'date-holidays';

/**
 * Public holidays from a country's official calendar (HOLIDAY_COUNTRY), through the maintained `date-holidays`
 * package rather than a table of our own: "FR" for France, "US-CA" for a country's state or region.
 * Only `public` holidays count: banks', schools' and observances are working days for a call.
 */

let countries: Readonly<Record<string, string>> | undefined;

/** Every country the calendar knows, by ISO 3166 code, with its English name. */
export function holidayCountries(): Readonly<Record<string, string>> {
  countries ??= Object.freeze(new Holidays().getCountries('en'));
  return countries;
}

/** The states or regions of a country the calendar knows (may be empty). */
export function holidayRegions(country: string): Readonly<Record<string, string>> {
  return new Holidays().getStates(country, 'en') ?? {};
}

/** True for "FR", or "US-CA" when the calendar knows that country (and that region of it). */
export function isHolidayCountry(code: string): boolean {
  const [country = '', region, ...rest] = code.toUpperCase().split('-');
  if (rest.length > 0 || !Object.hasOwn(holidayCountries(), country)) return false;
  return region === undefined || Object.hasOwn(holidayRegions(country), region);
}

/** A readable name for a calendar code: "France", "United States of America, California". */
export function holidayCountryName(code: string): string {
  const [country = '', region] = code.toUpperCase().split('-');
  const name = holidayCountries()[country] ?? country;
  return region ? `${name}, ${holidayRegions(country)[region] ?? region}` : name;
}

// Reading a year's calendar takes about 10 ms; the scheduler and the previews ask for the same few years again.
const yearCache = new Map<string, ReadonlyMap<string, string>>();

/** The public holidays of a year (YYYY-MM-DD to the holiday's name) in a calendar. */
export function publicHolidays(code: string, year: number): ReadonlyMap<string, string> {
  const key = `${code.toUpperCase()}:${year}`;
  let days = yearCache.get(key);
  if (!days) {
    const [country = '', region] = code.toUpperCase().split('-');
    const calendar = region ? new Holidays(country, region) : new Holidays(country);
    const entries = calendar
      .getHolidays(year, 'en')
      .filter((h) => h.type === 'public')
      .map((h): [string, string] => [h.date.slice(0, 10), h.name]);
    days = new Map(entries);
    if (yearCache.size > 200) yearCache.clear();
    yearCache.set(key, days);
  }
  return days;
}

/** What makes a date a day without a pick: listed in HOLIDAYS, or a public holiday in HOLIDAY_COUNTRY's calendar. */
export interface HolidaySettings {
  holidays: readonly string[];
  holidayCountry: string | undefined;
}

/** The reason a date (YYYY-MM-DD) has no pick, or undefined on a working day. */
export function holidayOn(settings: HolidaySettings, date: string): string | undefined {
  if (settings.holidays.includes(date)) return 'a listed holiday';
  if (!settings.holidayCountry) return undefined;
  return publicHolidays(settings.holidayCountry, Number(date.slice(0, 4))).get(date);
}
