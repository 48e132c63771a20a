import { ErrorCode } from '@slack/web-api';
import type { Logger } from '../logger';
import { PickupError } from '../shared/errors';
import { toDeliveryError } from './slack.client';

/** What /healthz reports about Slack: the Socket Mode connection's state, or `http` in HTTP mode once ready. */
export type SlackConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'http';

/** Backoff between connection attempts: exponential from `baseMs`, capped at `maxMs`, with jitter. */
export interface ReconnectPolicy {
  baseMs: number;
  maxMs: number;
  /** How long an opened WebSocket may go without Slack's `hello` before it is dropped and tried again. */
  helloTimeoutMs: number;
}

/** 1 s, 2 s, 4 s … up to 30 s between attempts, forever. */
export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { baseMs: 1_000, maxMs: 30_000, helloTimeoutMs: 30_000 };

/**
 * How long Slack may be unreachable before /healthz answers 503. A refresh reconnects in well under a second and a
 * short outage within a few backoff steps; 30 s without a connection means nothing from Slack reaches Pickup.
 */
export const SLACK_DOWN_GRACE_MS = 30_000;

/** Which token a step of connecting uses: auth.test checks the bot token, apps.connections.open the app token. */
export type SlackTokenName = 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN';

/**
 * Slack answers that no retry can fix: the token is wrong, revoked or lacks a scope. The operator must act, so
 * Pickup stops with this message instead of retrying forever.
 */
const FATAL_PLATFORM_ERRORS: Record<string, string> = {
  invalid_auth: 'is not valid',
  not_authed: 'was not accepted (not_authed)',
  token_revoked: 'has been revoked',
  token_expired: 'has expired',
  account_inactive: 'belongs to a deactivated user or an uninstalled app',
  user_removed_from_team: 'belongs to a user removed from the workspace',
  team_disabled: 'belongs to a disabled workspace',
  missing_scope: 'lacks a scope it needs',
  not_allowed_token_type: 'is the wrong kind of token',
};

const FIX: Record<SlackTokenName, string> = {
  SLACK_BOT_TOKEN: 'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, reinstalling the app if needed',
  SLACK_APP_TOKEN:
    'generate an app-level token (xapp-…) with the connections:write scope under Basic Information → App-Level Tokens',
};

/** Slack refused a token for good; `message` tells the operator which one and what to do. */
export class SlackAuthError extends PickupError<'slack_auth_refused'> {
  constructor(
    readonly token: SlackTokenName,
    readonly slackError: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'slack_auth_refused',
      `Slack refused ${token}: it ${FATAL_PLATFORM_ERRORS[slackError] ?? `was refused (${slackError})`} ` +
        `(${slackError}). To fix it, ${FIX[token]}, then restart Pickup.`,
      options,
    );
  }
}

/** The SlackAuthError a failure amounts to, or undefined when it is worth another try. */
export function fatalSlackError(err: unknown, token: SlackTokenName): SlackAuthError | undefined {
  const e = err as { code?: unknown; data?: { error?: unknown } } | undefined;
  if (e?.code !== ErrorCode.PlatformError || typeof e.data?.error !== 'string') return undefined;
  return e.data.error in FATAL_PLATFORM_ERRORS ? new SlackAuthError(token, e.data.error, { cause: err }) : undefined;
}

/** The wait before attempt `attempt + 1` (attempt ≥ 1): half fixed, half random, so instances do not retry in step. */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The slice of Bolt's App that connecting needs (auth.test). */
export interface InitializableApp {
  init(): Promise<void>;
}

/** The slice of @slack/socket-mode's SocketModeClient the supervisor drives (its own reconnects are off). */
export interface SocketClient {
  start(): Promise<unknown>;
  disconnect(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Pickup's link to Slack: connecting at start-up, reconnecting after, and what /healthz says about it. */
export interface SlackConnection {
  state(): SlackConnectionState;
  /** False once Slack has been unreachable for longer than the grace (SLACK_DOWN_GRACE_MS by default). */
  healthy(): boolean;
  /** True once Bolt is initialized, so HTTP mode can hand requests to it. */
  ready(): boolean;
  /**
   * Connects, retrying transient failures with backoff for as long as it takes. Resolves once connected;
   * rejects with a SlackAuthError for a refused token, or with the signal's reason when aborted.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Closes the connection and stops reconnecting. */
  stop(): Promise<void>;
}

/** What {@link superviseSlackConnection} needs. */
export interface SlackConnectionOptions {
  app: InitializableApp;
  /** Socket Mode's client; absent in HTTP mode, where only auth.test needs to succeed. */
  socket?: SocketClient;
  logger: Logger;
  policy?: ReconnectPolicy;
  graceMs?: number;
  /** Called when a reconnect meets a refused token: nothing from Slack can arrive any more. */
  onFatal(err: SlackAuthError): void;
  /** Milliseconds, for how long the connection has been down: a duration, so the real clock by default. */
  now?: () => number;
}

/**
 * Supervises the Slack connection. @slack/socket-mode's own reconnect gives up on the first failed
 * `apps.connections.open` (an HTTP 500, a reset) and leaves the process deaf, so its auto-reconnect is off and
 * this loop owns reconnecting: backoff forever for transient failures, a SlackAuthError for refused tokens.
 */
export function superviseSlackConnection(options: SlackConnectionOptions): SlackConnection {
  return new Supervisor(options);
}

class Supervisor implements SlackConnection {
  private readonly policy: ReconnectPolicy;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly stopping = new AbortController();
  private current: SlackConnectionState = 'connecting';
  private downSince: number | undefined;
  private initialized = false;
  /** Why Slack last asked to reconnect, for the log line when the connection then closes. */
  private refreshReason: string | undefined;

  constructor(private readonly options: SlackConnectionOptions) {
    this.policy = options.policy ?? DEFAULT_RECONNECT_POLICY;
    this.graceMs = options.graceMs ?? SLACK_DOWN_GRACE_MS;
    this.now = options.now ?? Date.now;
    this.downSince = this.now();
    const { socket } = options;
    socket?.on('connected', () => this.onConnected());
    socket?.on('disconnected', () => this.onDisconnected());
    socket?.on('ws_message', (data: unknown) => {
      // The client acts on `disconnect` itself without saying why; keep the reason for the log line that follows.
      if (typeof data !== 'string' || !data.includes('"disconnect"')) return;
      const reason = (safeJson(data) as { reason?: unknown } | undefined)?.reason;
      if (typeof reason === 'string') this.refreshReason = reason;
    });
  }

  state(): SlackConnectionState {
    return this.current;
  }

  healthy(): boolean {
    if (this.current === 'connected' || this.current === 'http') return true;
    return this.downSince !== undefined && this.now() - this.downSince <= this.graceMs;
  }

  ready(): boolean {
    return this.initialized;
  }

  async start(signal?: AbortSignal): Promise<void> {
    await this.connectUntilUp(signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal);
    this.markUp();
  }

  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort(new Error('the Slack connection was stopped'));
    // A polite close frame, but never a shutdown held up by a peer that does not answer it.
    if (this.options.socket) await Promise.race([this.options.socket.disconnect(), delay(CLOSE_WAIT_MS)]);
    this.current = 'disconnected';
  }

  private markUp(): void {
    this.current = this.options.socket ? 'connected' : 'http';
    this.downSince = undefined;
  }

  private onConnected(): void {
    // A connection that came up after stop() (its URL was already on its way): close it.
    if (this.stopping.signal.aborted) return void this.options.socket?.disconnect();
    const downMs = this.downSince === undefined ? 0 : this.now() - this.downSince;
    const reconnected = this.current === 'reconnecting';
    this.markUp();
    if (reconnected) this.options.logger.info({ downMs }, 'reconnected to Slack (Socket Mode)');
  }

  private onDisconnected(): void {
    const { logger, onFatal } = this.options;
    if (this.stopping.signal.aborted) {
      this.current = 'disconnected';
      return;
    }
    // Attempts in flight report their own failures; only the loss of a live connection starts a reconnect.
    if (this.current !== 'connected') return;
    this.current = 'reconnecting';
    this.downSince = this.now();
    const reason = this.refreshReason;
    this.refreshReason = undefined;
    if (reason) logger.info({ reason }, 'Slack asked Pickup to reconnect; reconnecting');
    else logger.warn('lost the Socket Mode connection to Slack; reconnecting');
    this.connectUntilUp(this.stopping.signal).catch((err: unknown) => {
      if (this.stopping.signal.aborted) return;
      this.current = 'disconnected';
      if (err instanceof SlackAuthError) onFatal(err);
      else logger.error({ err }, 'stopped reconnecting to Slack');
    });
  }

  private async connectUntilUp(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await this.connectOnce(signal);
        return;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof SlackAuthError) throw err;
        const retryAfterMs = toDeliveryError(err).retryAfterMs ?? 0;
        const delayMs = Math.max(reconnectDelayMs(attempt, this.policy), retryAfterMs);
        this.options.logger.warn(
          { attempt, retryInMs: delayMs, reason: describeFailure(err), mode: this.options.socket ? 'socket' : 'http' },
          'could not connect to Slack; retrying',
        );
        await sleep(delayMs, signal);
      }
    }
  }

  private async connectOnce(signal: AbortSignal): Promise<void> {
    const { app, socket, logger } = this.options;
    if (!this.initialized) {
      await untilAborted(app.init(), signal).catch((err: unknown) => {
        throw fatalSlackError(err, 'SLACK_BOT_TOKEN') ?? err;
      });
      this.initialized = true;
    }
    if (!socket) return;
    let helloTimer: NodeJS.Timeout | undefined;
    // Timed from the URL being issued: an apps.connections.open call is bounded by the WebClient's own timeout.
    const onAuthenticated = () => {
      helloTimer = setTimeout(() => {
        logger.warn(
          { timeoutMs: this.policy.helloTimeoutMs },
          'Slack sent no hello on the new connection; dropping it',
        );
        void socket.disconnect();
      }, this.policy.helloTimeoutMs);
    };
    socket.once('authenticated', onAuthenticated);
    try {
      await untilAborted(socket.start(), signal).catch((err: unknown) => {
        throw fatalSlackError(err, 'SLACK_APP_TOKEN') ?? err;
      });
    } finally {
      socket.off('authenticated', onAuthenticated);
      clearTimeout(helloTimer);
    }
  }
}

/** A failure in a few words for the retry log line (the SDK's errors carry the whole response otherwise). */
function describeFailure(err: unknown): string {
  if (err === undefined) return 'the WebSocket closed before Slack said hello';
  const e = err as { code?: unknown; statusCode?: unknown; data?: { error?: unknown }; message?: unknown };
  if (e.code === ErrorCode.HTTPError) return `apps.connections.open answered HTTP ${String(e.statusCode)}`;
  if (e.code === ErrorCode.PlatformError) return `Slack answered ${String(e.data?.error)}`;
  return typeof e.message === 'string' ? e.message : String(err);
}

/** `text` parsed, or undefined when it is not JSON: a frame we only read for a log line's reason may be anything. */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts (the promise is left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // Once aborted, nobody awaits `promise`: Pickup is stopping, so a later failure of it is moot, and is only kept from
  // becoming an unhandled rejection.
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** How long stop() waits for Slack to acknowledge the close frame. */
const CLOSE_WAIT_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
