import { type Config, loadConfig } from '../src/config';
import { TEST_INGEST_TOKEN, TEST_SIGNING_SECRET, testEnv } from '../test/helpers/config';
import { BENCH_EXECUTIVES } from './seed';

/** The signing secret and ingest token every Pickup the bench starts uses. */
export const BENCH_SIGNING_SECRET = TEST_SIGNING_SECRET;
export const BENCH_INGEST_TOKEN = TEST_INGEST_TOKEN;

/** The environment of a Pickup under benchmark: the tests' one, with plain user IDs as executives. */
export function benchEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return testEnv({ EXECUTIVES: BENCH_EXECUTIVES.join(','), LOG_LEVEL: 'silent', ...overrides });
}

/** A validated Config for an in-process Pickup. */
export function benchConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(benchEnv(overrides), 'serve');
}
