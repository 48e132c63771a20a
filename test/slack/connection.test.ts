import { EventEmitter } from 'node:events';
import { ErrorCode } from '@slack/web-api';
import { createLogger } from '../../src/logger';
import {
  DEFAULT_RECONNECT_POLICY,
  fatalSlackError,
  reconnectDelayMs,
  SlackAuthError,
  superviseSlackConnection,
} from '../../src/slack/connection';
import { waitFor } from '../helpers/wait-for';

const platformError = (error: string) =>
  Object.assign(new Error(error), { code: ErrorCode.PlatformError, data: { error } });

describe('fatalSlackError', () => {
  it.each(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'token_expired', 'missing_scope'])(
    'treats %s as fatal, naming the token and the fix',
    (error) => {
      const fatal = fatalSlackError(platformError(error), 'SLACK_APP_TOKEN');
      expect(fatal).toBeInstanceOf(SlackAuthError);
      expect(fatal?.message).toContain(`Slack refused SLACK_APP_TOKEN`);
      expect(fatal?.message).toContain(`(${error})`);
      expect(fatal?.message).toContain('connections:write');
    },
  );

  it('tells the bot token apart from the app token', () => {
    expect(fatalSlackError(platformError('invalid_auth'), 'SLACK_BOT_TOKEN')?.message).toMatch(
      /^Slack refused SLACK_BOT_TOKEN: it is not valid \(invalid_auth\)\. To fix it, copy the Bot User OAuth Token/,
    );
  });

  it.each([
    ['an HTTP 500', Object.assign(new Error('500'), { code: ErrorCode.HTTPError, statusCode: 500 })],
    ['a connection reset', Object.assign(new Error('ECONNRESET'), { code: ErrorCode.RequestError })],
    ['rate limiting', Object.assign(new Error('429'), { code: ErrorCode.RateLimitedError, retryAfter: 3 })],
    ['internal_error', platformError('internal_error')],
    ['a closed socket (no error at all)', undefined],
  ])('retries %s', (_, err) => {
    expect(fatalSlackError(err, 'SLACK_APP_TOKEN')).toBeUndefined();
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from the base up to the cap, between half and all of each step', () => {
    const policy = DEFAULT_RECONNECT_POLICY;
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => reconnectDelayMs(n, policy, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000,
    ]);
    expect([1, 2, 6, 50].map((n) => reconnectDelayMs(n, policy, () => 1))).toEqual([1_000, 2_000, 30_000, 30_000]);
  });
});

/** A stand-in for the SDK's client, driven by hand: each start() waits for the test to settle it. */
class ScriptedSocket extends EventEmitter {
  starts: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  disconnects = 0;
  start() {
    return new Promise<unknown>((resolve, reject) => {
      this.starts.push({
        resolve: () => {
          this.emit('connected');
          resolve(undefined);
        },
        reject,
      });
    });
  }
  async disconnect() {
    this.disconnects += 1;
    this.emit('disconnected');
  }
}

describe('superviseSlackConnection', () => {
  const quiet = createLogger('silent');
  const fast = { baseMs: 1, maxMs: 2, helloTimeoutMs: 1_000 };

  it('is healthy while down for less than the grace, and unhealthy after', async () => {
    let now = 0;
    const socket = new ScriptedSocket();
    const connection = superviseSlackConnection({
      app: { init: async () => {} },
      socket,
      logger: quiet,
      policy: fast,
      graceMs: 30_000,
      onFatal: () => {},
      now: () => now,
    });
    const started = connection.start();
    await waitFor(() => socket.starts.length === 1, { intervalMs: 5 });
    expect([connection.state(), connection.healthy()]).toEqual(['connecting', true]);
    now = 30_001;
    expect(connection.healthy()).toBe(false);
    socket.starts[0]?.resolve();
    await started;
    expect([connection.state(), connection.healthy()]).toEqual(['connected', true]);

    now = 100_000;
    socket.emit('disconnected');
    expect([connection.state(), connection.healthy()]).toEqual(['reconnecting', true]);
    now = 130_001;
    expect(connection.healthy()).toBe(false);
    await waitFor(() => socket.starts.length === 2, { intervalMs: 5 });
    socket.starts[1]?.resolve();
    expect([connection.state(), connection.healthy()]).toEqual(['connected', true]);
    await connection.stop();
    expect(connection.state()).toBe('disconnected');
  });

  it('reports a refused token met while reconnecting to onFatal, and stops trying', async () => {
    const socket = new ScriptedSocket();
    const fatal: SlackAuthError[] = [];
    const connection = superviseSlackConnection({
      app: { init: async () => {} },
      socket,
      logger: quiet,
      policy: fast,
      onFatal: (err) => fatal.push(err),
    });
    const started = connection.start();
    await waitFor(() => socket.starts.length === 1, { intervalMs: 5 });
    socket.starts[0]?.resolve();
    await started;
    socket.emit('disconnected');
    await waitFor(() => socket.starts.length === 2, { intervalMs: 5 });
    socket.starts[1]?.reject(Object.assign(new Error('x'), { code: 'nope' }));
    await waitFor(() => socket.starts.length === 3, { intervalMs: 5 });
    socket.starts[2]?.reject(platformError('token_revoked'));
    await waitFor(() => fatal.length === 1, { intervalMs: 5 });
    expect(fatal[0]?.message).toContain('SLACK_APP_TOKEN: it has been revoked');
    expect(connection.state()).toBe('disconnected');
    expect(socket.starts).toHaveLength(3);
  });

  it('in HTTP mode, is ready and "http" once auth.test has answered', async () => {
    let answer: (() => void) | undefined;
    const connection = superviseSlackConnection({
      app: { init: () => new Promise<void>((resolve) => (answer = resolve)) },
      logger: quiet,
      policy: fast,
      onFatal: () => {},
    });
    const started = connection.start();
    expect([connection.state(), connection.ready()]).toEqual(['connecting', false]);
    await waitFor(() => answer !== undefined, { intervalMs: 5 });
    answer?.();
    await started;
    expect([connection.state(), connection.ready(), connection.healthy()]).toEqual(['http', true, true]);
  });

  it('closes a connection that comes up after stop()', async () => {
    const socket = new ScriptedSocket();
    const connection = superviseSlackConnection({
      app: { init: async () => {} },
      socket,
      logger: quiet,
      policy: fast,
      onFatal: () => {},
    });
    const shutdown = new AbortController();
    const started = connection.start(shutdown.signal);
    await waitFor(() => socket.starts.length === 1, { intervalMs: 5 });
    shutdown.abort(new Error('SIGTERM'));
    await expect(started).rejects.toThrow('SIGTERM');
    await connection.stop();
    const before = socket.disconnects;
    socket.starts[0]?.resolve();
    expect(socket.disconnects).toBe(before + 1);
  });
});
