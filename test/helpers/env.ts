/** The real Postgres under test, when TEST_DATABASE_URL is set (CI sets it for the second pass). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/**
 * True when tests run against real PostgreSQL. Race tests run only there: PGlite executes one
 * transaction at a time, so a race test on it would pass whatever the code does.
 */
export const ON_POSTGRES = TEST_DATABASE_URL !== undefined;

/** `describe` for race tests: runs on Postgres; on PGlite it is skipped because it could not fail there. */
export const describeOnPostgres = ON_POSTGRES ? describe : describe.skip;

/** A database URL on the same server with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
