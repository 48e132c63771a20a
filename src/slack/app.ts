import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { SlackEndpoint } from '../http/server';
import { toBoltLogger } from './bolt-logger';
import type { SlackDeps } from './deps';
import { registerErrorHandler } from './error-handler';
import { registerListeners } from './listeners';
import { processEventErrorHandler, slackBodyCheck } from './payload-guard';

/** Bolt, wired for HTTP or Socket Mode, with every listener registered. */
export interface SlackApp {
  app: App;
  /** Set in HTTP mode: mount it on Pickup's HTTP server. */
  endpoint: SlackEndpoint | undefined;
  /** Verifies the token (auth.test) and, in Socket Mode, connects. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Slack's endpoint path (contract). */
export const SLACK_EVENTS_PATH = '/slack/events';
const SLACK_BODY_LIMIT = 1024 * 1024;

/** Options that tests use to skip auth.test. */
export interface SlackAppOptions {
  botUserId?: string;
  botId?: string;
}

/** Builds the Bolt app. HTTP mode unless SLACK_APP_TOKEN is set. */
export function createSlackApp(deps: SlackDeps, options: SlackAppOptions = {}): SlackApp {
  const { config, logger } = deps;
  const boltLogger = toBoltLogger(logger.child({ component: 'bolt' }));
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
  const common = {
    token: config.slack.botToken,
    logger: boltLogger,
    logLevel: LogLevel.INFO,
    clientOptions,
    extendedErrorHandler: true,
    deferInitialization: true,
    ...(options.botUserId ? { botUserId: options.botUserId, botId: options.botId } : {}),
  } as const;

  let app: App;
  let endpoint: SlackEndpoint | undefined;
  if (config.slack.appToken) {
    app = new App({ ...common, appToken: config.slack.appToken, socketMode: true });
  } else {
    const receiver = new HTTPReceiver({
      // Pickup's server verifies every request against each signing secret before this receiver sees it
      // (src/http/slack-signature.ts): the receiver takes only one, and rotating it needs the old and new together.
      signatureVerification: false,
      signingSecret: '',
      endpoints: SLACK_EVENTS_PATH,
      logger: boltLogger,
      bodyLimit: SLACK_BODY_LIMIT,
      // Ack goes out first and the listener carries on, so slow work never counts against Slack's 3 s.
      processBeforeResponse: false,
      processEventErrorHandler: processEventErrorHandler(logger),
    });
    app = new App({ ...common, receiver });
    endpoint = {
      path: SLACK_EVENTS_PATH,
      listener: receiver.requestListener,
      bodyLimit: SLACK_BODY_LIMIT,
      signingSecrets: config.slack.signingSecrets,
      checkBody: slackBodyCheck,
    };
  }
  registerErrorHandler(app, logger);
  registerListeners(app, deps);

  return {
    app,
    endpoint,
    async start() {
      await app.init();
      if (config.slack.appToken) await app.start();
    },
    async stop() {
      if (config.slack.appToken) await app.stop();
    },
  };
}
