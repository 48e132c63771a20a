import { createLogger, type Logger } from '../../src/logger';
import { type RunningPickup, type StartOptions, startPickup } from '../../src/main';
import { DEFAULT_OUTBOX_OPTIONS } from '../../src/scheduler/outbox.worker';
import { TEST_SIGNING_SECRET, testConfig } from './config';
import type { FakeSlack } from './fake-slack';
import type { SlackTarget } from './slack-requests';
import type { TestDb } from './test-db';

/** A whole Pickup, in process, on a test database and a fake Slack. */
export interface TestApp {
  pickup: RunningPickup;
  baseUrl: string;
  /** Where signed Slack requests go. */
  slackTarget: SlackTarget;
  stop(): Promise<void>;
}

/** Starts Pickup exactly as main.ts does, with the fake Slack as SLACK_API_URL and fast outbox retries. */
export async function startTestApp(
  db: TestDb,
  fakeSlack: FakeSlack,
  options: { env?: Record<string, string | undefined>; logger?: Logger } & Omit<StartOptions, 'database'> = {},
): Promise<TestApp> {
  const { env, logger, ...start } = options;
  const config = testConfig({ SLACK_API_URL: fakeSlack.url, ...env });
  const pickup = await startPickup(config, logger ?? createLogger('silent'), {
    database: db,
    botUserId: 'UBOT',
    outboxPollMs: 50,
    cronJobs: false,
    outboxOptions: { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 20, backoffMaxMs: 200 },
    ...start,
  });
  const baseUrl = `http://127.0.0.1:${pickup.port}`;
  return {
    pickup,
    baseUrl,
    slackTarget: { url: `${baseUrl}/slack/events`, signingSecret: TEST_SIGNING_SECRET },
    stop: () => pickup.stop(),
  };
}
