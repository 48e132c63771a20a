import { App, HTTPReceiver, LogLevel, type Logger as SlackLogger, SocketModeReceiver } from '@slack/bolt';
import type { SlackEndpoint } from '../http/server';
import { toBoltLogger } from './bolt-logger';
import {
  type ReconnectPolicy,
  type SlackAuthError,
  type SlackConnection,
  superviseSlackConnection,
} from './connection';
import type { SlackDeps } from './deps';
import { registerErrorHandler } from './error-handler';
import { registerListeners } from './listeners';
import { processEventErrorHandler, slackBodyCheck } from './payload-guard';

/** Bolt, wired for HTTP or Socket Mode, with every listener registered. */
export interface SlackApp {
  app: App;
  /** Set in HTTP mode: mount it on Pickup's HTTP server. */
  endpoint: SlackEndpoint | undefined;
  /** The connection to Slack, for /healthz. */
  connection: SlackConnection;
  /** Verifies the token (auth.test) and, in Socket Mode, connects; retries transient failures until `signal`. */
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Slack's endpoint path (contract). */
export const SLACK_EVENTS_PATH = '/slack/events';
const SLACK_BODY_LIMIT = 1024 * 1024;

/** Options that tests use to skip auth.test's identity lookup and to reconnect faster. */
export interface SlackAppOptions {
  botUserId?: string;
  botId?: string;
  reconnectPolicy?: ReconnectPolicy;
  /** How long Slack may be unreachable before /healthz answers 503. */
  downGraceMs?: number;
  /** A reconnect met a refused token (main.ts exits); without it the refusal is only logged. */
  onFatal?: (err: SlackAuthError) => void;
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
  let socket: SocketModeReceiver['client'] | undefined;
  if (config.slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger: connectionErrorsAsWarnings(toBoltLogger(logger.child({ component: 'socket-mode' }))),
      logLevel: LogLevel.INFO,
      // superviseSlackConnection reconnects: the client's own loop gives up after one failed apps.connections.open.
      autoReconnectEnabled: false,
      installerOptions: { clientOptions: { ...clientOptions } },
    });
    socket = receiver.client;
    app = new App({ ...common, receiver });
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

  const connection = superviseSlackConnection({
    app,
    socket,
    logger: logger.child({ component: 'slack-connection' }),
    policy: options.reconnectPolicy,
    graceMs: options.downGraceMs,
    onFatal: options.onFatal ?? ((err) => logger.fatal(err.message)),
  });
  if (endpoint) endpoint.ready = () => connection.ready();

  return {
    app,
    endpoint,
    connection,
    start: (signal) => connection.start(signal),
    stop: () => connection.stop(),
  };
}

/** The SDK's own connection failures it logs at error level; Pickup decides (retry or stop) and logs that instead. */
const CONNECTION_NOISE = /^(Failed to retrieve a new WSS URL|WebSocket error|Failed to send a WebSocket message)/;

/** Turns the SDK's connection-failure errors into warnings, so one outage is not a stream of error lines. */
function connectionErrorsAsWarnings(inner: SlackLogger): SlackLogger {
  return {
    ...inner,
    error: (...msg) => {
      const first = msg[0];
      if (typeof first === 'string' && CONNECTION_NOISE.test(first)) inner.warn(...msg);
      else inner.error(...msg);
    },
  };
}
