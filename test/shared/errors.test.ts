import type { AddressInfo } from 'node:net';
import { ErrorCode as SlackErrorCode } from '@slack/web-api';
import { parseFlags, UsageError } from '../../src/cli/support';
import { ConfigError, loadConfig } from '../../src/config';
import { DataDirLockedError, EmbeddedServerUnreachableError } from '../../src/db/connection';
import { EmbeddedDatabaseFailedError } from '../../src/db/pglite-thread';
import { DOMAIN_ERROR_HTTP_STATUS, domainErrorResponse, type Route } from '../../src/http/http';
import { createHttpServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { HelpDeskApiError } from '../../src/ports/helpdesk.port';
import { SlackDeliveryError } from '../../src/ports/slack.port';
import { DomainError, type DomainErrorCode, type ErrorCode, PickupError } from '../../src/shared/errors';
import { fatalSlackError, SlackAuthError } from '../../src/slack/connection';
import { toDeliveryError } from '../../src/slack/slack.client';

describe('PickupError: every error Pickup throws carries a code', () => {
  const locked = new DataDirLockedError('/tmp/pickup-data', 4242);
  it.each<[string, PickupError, ErrorCode]>([
    ['DomainError', new DomainError('not_found', 'That claim no longer exists.'), 'not_found'],
    ['ConfigError', new ConfigError(['EXEC_CHANNEL is required']), 'config_invalid'],
    ['UsageError', new UsageError('give exactly one CSV file'), 'cli_usage'],
    ['SlackAuthError', new SlackAuthError('SLACK_BOT_TOKEN', 'invalid_auth'), 'slack_auth_refused'],
    ['SlackDeliveryError', new SlackDeliveryError('Slack answered HTTP 503', true), 'slack_delivery_failed'],
    ['HelpDeskApiError', new HelpDeskApiError('Zendesk answered 404', false), 'helpdesk_api_failed'],
    ['DataDirLockedError', locked, 'data_dir_locked'],
    [
      'EmbeddedServerUnreachableError',
      new EmbeddedServerUnreachableError(locked, '/tmp/pickup-data/.s.PGSQL.5432', 'no socket there'),
      'embedded_server_unreachable',
    ],
    [
      'EmbeddedDatabaseFailedError',
      new EmbeddedDatabaseFailedError('its thread exited with code 1'),
      'embedded_database_failed',
    ],
  ])('%s has its code, is a PickupError and an Error, and is named after its class', (name, err, code) => {
    expect(err).toBeInstanceOf(PickupError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.name).toBe(name);
  });

  it('keeps what callers already read: the user message, the problems, the retry advice', () => {
    expect(new DomainError('already_claimed', 'Already claimed.').userMessage).toBe('Already claimed.');
    expect(new ConfigError(['a', 'b']).problems).toEqual(['a', 'b']);
    const delivery = new SlackDeliveryError('rate limited by Slack', true, { retryAfterMs: 30_000 });
    expect({ retryable: delivery.retryable, retryAfterMs: delivery.retryAfterMs }).toEqual({
      retryable: true,
      retryAfterMs: 30_000,
    });
    const helpDesk = new HelpDeskApiError('Zendesk answered 429', true, { status: 429, retryAfterMs: 5_000 });
    expect({ status: helpDesk.status, retryAfterMs: helpDesk.retryAfterMs }).toEqual({
      status: 429,
      retryAfterMs: 5_000,
    });
  });

  it('has no cause unless it was given one', () => {
    expect('cause' in new DomainError('not_found', 'gone')).toBe(false);
    const root = new SyntaxError('Unexpected token');
    expect(new DomainError('invalid_input', 'This form is out of date.', { cause: root }).cause).toBe(root);
  });
});

describe('a translated error keeps the one it stands for as its cause', () => {
  it('a bad command line keeps node:util’s parse error', () => {
    let thrown: unknown;
    try {
      parseFlags(['--nope'], {});
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).cause).toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });

  it("a refused Slack token keeps the Web API's platform error", () => {
    const platform = Object.assign(new Error('An API error occurred: invalid_auth'), {
      code: SlackErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_auth' },
    });
    const fatal = fatalSlackError(platform, 'SLACK_BOT_TOKEN');
    expect(fatal).toBeInstanceOf(SlackAuthError);
    expect(fatal?.cause).toBe(platform);
  });

  it.each([
    ['a network failure', { code: SlackErrorCode.RequestError, message: 'socket hang up' }, true],
    ['an HTTP 500', { code: SlackErrorCode.HTTPError, statusCode: 500, message: 'HTTP 500' }, true],
    ['a platform error', { code: SlackErrorCode.PlatformError, data: { error: 'channel_not_found' } }, false],
    ['anything else', new TypeError('undefined is not a function'), true],
  ])("a failed Slack call (%s) keeps the SDK's error", (_, sdkError, retryable) => {
    const delivery = toDeliveryError(sdkError);
    expect(delivery.cause).toBe(sdkError);
    expect(delivery.retryable).toBe(retryable);
  });

  it('the log line shows the cause beside the code', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    logger.error({ err: new SlackDeliveryError('could not reach Slack', true, { cause: root }) }, 'delivery failed');
    expect(lines[0]?.err).toMatchObject({
      type: 'SlackDeliveryError',
      code: 'slack_delivery_failed',
      message: 'could not reach Slack: connect ECONNREFUSED',
      stack: expect.stringContaining('caused by: Error: connect ECONNREFUSED'),
    });
  });

  it('a refused cron expression says why, instead of dropping croner’s reason', () => {
    expect(() => loadConfig({ PICK_SCHEDULE: '61 * * * *' }, 'database')).toThrow(
      /PICK_SCHEDULE: must be a cron expression such as "0 10 \* \* 1-5" \(Invalid value for minute: 61\)/,
    );
  });
});

describe('DomainError codes and their HTTP statuses', () => {
  it('maps every code to one status, in one table', () => {
    expect(DOMAIN_ERROR_HTTP_STATUS).toEqual({
      invalid_input: 400,
      not_authorized: 403,
      not_your_claim: 403,
      not_found: 404,
      already_claimed: 409,
      not_claimable: 409,
      action_closed: 409,
      not_set_up: 503,
    } satisfies Record<DomainErrorCode, number>);
  });

  it('answers with the status and the user-facing message, plus what the route adds', () => {
    const err = new DomainError('not_found', 'no complaint matches complaintId');
    expect(domainErrorResponse(err, { issues: [{ path: 'complaintId', message: err.userMessage }] })).toEqual({
      status: 404,
      body: {
        error: 'no complaint matches complaintId',
        issues: [{ path: 'complaintId', message: 'no complaint matches complaintId' }],
      },
    });
  });

  describe('a DomainError a route lets through', () => {
    let url: string;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const failing = (path: string, err: Error): Route => ({
        method: 'GET',
        path,
        bodyLimit: 0,
        async handle() {
          throw err;
        },
      });
      const server = createHttpServer({
        routes: [
          failing('/claimed', new DomainError('already_claimed', 'Already claimed by someone.')),
          failing('/invalid', new DomainError('invalid_input', 'dates must be real YYYY-MM-DD')),
          failing('/bug', new TypeError('undefined is not a function')),
        ],
        logger: createLogger('silent'),
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    });
    afterAll(() => close());

    it.each([
      ['/claimed', 409, 'Already claimed by someone.'],
      ['/invalid', 400, 'dates must be real YYYY-MM-DD'],
    ])('is answered by the server from the table (%s → %i)', async (path, status, error) => {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
    });

    it('while any other error stays a 500 with a request id', async () => {
      const res = await fetch(`${url}/bug`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'internal error', requestId: expect.any(String) });
    });
  });
});
