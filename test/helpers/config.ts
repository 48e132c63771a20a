import { type Config, loadConfig } from '../../src/config';

/** The signing secret every test app uses; signed-request helpers sign with it. */
export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';
/** The bearer token for webhook tests. */
export const TEST_INGEST_TOKEN = 'test-ingest-token-0123456789abcdef';

/** Test users and channels. */
export const EXEC_1 = 'UEXEC0001';
export const EXEC_2 = 'UEXEC0002';
export const EXEC_GROUP = 'SEXECS001';
export const EXEC_IN_GROUP = 'UEXEC0003';
export const LEAD_1 = 'ULEAD0001';
export const OUTSIDER = 'UOUTSIDER';
export const EXEC_CHANNEL = 'CEXECS001';
export const LEADERSHIP_CHANNEL = 'CLEADS001';

/** A complete, valid environment as the contract names it. */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    EXEC_CHANNEL,
    LEADERSHIP_CHANNEL,
    EXECUTIVES: `${EXEC_1},${EXEC_2},${EXEC_GROUP}`,
    SUPPORT_LEADS: LEAD_1,
    INGEST_TOKEN: TEST_INGEST_TOKEN,
    TIMEZONE: 'UTC',
    LOG_LEVEL: 'silent',
    PORT: '0',
    ...overrides,
  };
}

/** A validated Config for tests. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(overrides), 'serve');
}
