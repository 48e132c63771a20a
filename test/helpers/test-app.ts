import { createLogger, type Logger } from '../../src/logger';
import { type RunningPickup, type StartOptions, startPickup } from '../../src/main';
import { DEFAULT_OUTBOX_OPTIONS } from '../../src/scheduler/outbox.worker';
import { TEST_SIGNING_SECRET, testEnv } from './config';
import type { FakeSlack } from './fake-slack';
import { type FakeSocketMode, startFakeSocketMode } from './fake-socket-mode';
import { httpDriver, type SlackDriver, type SlackMode, socketDriver } from './slack-driver';
import type { SlackTarget } from './slack-requests';
import type { TestDb } from './test-db';

/** The app token test apps use in Socket Mode. */
export const TEST_APP_TOKEN = 'xapp-1-A1-test-app-token';

/** A whole Pickup, in process, on a test database and a fake Slack. */
export interface TestApp {
  pickup: RunningPickup;
  baseUrl: string;
  /** Where signed Slack requests go. */
  slackTarget: SlackTarget;
  stop(): Promise<void>;
}

/** A test app reached through a {@link SlackDriver}, in HTTP or Socket Mode. */
export interface DrivenTestApp extends TestApp {
  driver: SlackDriver;
  /** The fake Socket Mode server, in Socket Mode. */
  socket: FakeSocketMode | undefined;
}

type TestAppOptions = { env?: Record<string, string | undefined>; logger?: Logger } & Omit<StartOptions, 'database'>;

/** Starts Pickup exactly as main.ts does, with the fake Slack as SLACK_API_URL and fast outbox retries. */
export async function startTestApp(db: TestDb, fakeSlack: FakeSlack, options: TestAppOptions = {}): Promise<TestApp> {
  const { env, logger, ...start } = options;
  const pickup = await startPickup(
    testEnv({ SLACK_API_URL: fakeSlack.url, ...env }),
    logger ?? createLogger('silent'),
    {
      database: db,
      botUserId: 'UBOT',
      outboxPollMs: 50,
      cronJobs: false,
      outboxOptions: { ...DEFAULT_OUTBOX_OPTIONS, backoffBaseMs: 20, backoffMaxMs: 200 },
      ...start,
    },
  );
  const baseUrl = `http://127.0.0.1:${pickup.port}`;
  return {
    pickup,
    baseUrl,
    slackTarget: { url: `${baseUrl}/slack/events`, signingSecret: TEST_SIGNING_SECRET },
    stop: () => pickup.stop(),
  };
}

/**
 * Starts a test app in `mode`: HTTP (signed requests) or Socket Mode (SLACK_APP_TOKEN set, a fake Socket Mode
 * server behind the fake Slack's apps.connections.open). Resolves once Slack is connected.
 */
export async function startDrivenTestApp(
  mode: SlackMode,
  db: TestDb,
  fakeSlack: FakeSlack,
  options: TestAppOptions = {},
): Promise<DrivenTestApp> {
  if (mode === 'http') {
    const app = await startTestApp(db, fakeSlack, options);
    return { ...app, driver: httpDriver(app.slackTarget), socket: undefined };
  }
  const socket = await startFakeSocketMode(fakeSlack);
  try {
    const app = await startTestApp(db, fakeSlack, {
      ...options,
      env: { SLACK_APP_TOKEN: TEST_APP_TOKEN, ...options.env },
    });
    return {
      ...app,
      driver: socketDriver(socket),
      socket,
      stop: async () => {
        await app.stop();
        await socket.close();
      },
    };
  } catch (err) {
    await socket.close();
    throw err;
  }
}
