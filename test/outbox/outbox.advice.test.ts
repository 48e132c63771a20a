import {
  HELPDESK_NOT_CONFIGURED,
  httpFailureReason,
  httpStatusOf,
  targetNeverDelivered,
  WEBHOOK_NOT_CONFIGURED,
} from '../../src/outbox/outbox';
import {
  ADVISED_SLACK_ERRORS,
  type DeliveryProblem,
  deliveryAdvice,
  slackErrorAdvice,
} from '../../src/outbox/outbox.advice';
import { platformErrorCode, platformErrorMessage } from '../../src/ports/slack.port';
import { toDeliveryError } from '../../src/slack/slack.client';

const failed = (reason: string | null, channel: string | null = 'C404'): DeliveryProblem => ({
  status: 'failed',
  reason,
  channel,
});
const refused = (code: string) => platformErrorMessage(code);

describe('deliveryAdvice: what to do about a failed or waiting delivery', () => {
  it.each([
    [
      'channel_not_found',
      'C404',
      /Channel C404 does not exist, or it is private.*Check the channel ID.*invite @Pickup/,
    ],
    ['not_in_channel', 'C404', /@Pickup is not a member of channel C404\. Invite @Pickup.*chat:write\.public/],
    ['is_archived', 'C404', /Channel C404 is archived\. Unarchive it/],
    ['restricted_action', 'C404', /does not let apps post in channel C404/],
    ['invalid_auth', 'C404', /Reinstall the app.*SLACK_BOT_TOKEN/],
    ['account_inactive', 'C404', /Reinstall the app.*SLACK_BOT_TOKEN/],
    ['token_revoked', 'C404', /Reinstall the app/],
    ['not_authed', 'C404', /Reinstall the app/],
    ['missing_scope', 'C404', /scopes listed in Pickup's manifest\.json/],
    ['user_not_found', 'UEXEC0001', /person cannot be messaged.*EXECUTIVES or SUPPORT_LEADS/],
    ['cannot_dm_bot', 'UEXEC0001', /is a bot/],
    ['invalid_blocks', 'C404', /Pickup bug/],
    ['msg_too_long', 'C404', /Pickup bug/],
    ['message_not_found', 'C404', /deleted or can no longer be edited/],
    ['ratelimited', 'C404', /status\.slack\.com/],
    ['internal_error', 'C404', /status\.slack\.com/],
    ['some_new_code', 'C404', /Slack answered "some_new_code"/],
  ])('%s → %s', (code, channel, expected) => {
    expect(deliveryAdvice(failed(refused(code), channel))).toMatch(expected);
  });

  it.each([
    ['Slack answered HTTP 500', /status\.slack\.com/],
    ['could not reach Slack: ECONNREFUSED', /status\.slack\.com/],
    [
      targetNeverDelivered('pick:2026-11-21:post'),
      /message pick:2026-11-21:post, which was never delivered.*retrying it retries this one too/,
    ],
  ])('a reason that is not a Slack code: %s', (reason, expected) => {
    expect(deliveryAdvice(failed(reason))).toMatch(expected);
  });

  it('says a queued message needs nothing, and a retrying one what to do if it keeps failing', () => {
    expect(deliveryAdvice({ status: 'pending', reason: null, channel: 'C1' })).toMatch(/^Nothing: it is queued/);
    expect(deliveryAdvice({ status: 'pending', reason: refused('not_in_channel'), channel: 'C1' })).toMatch(
      /^Nothing yet: Pickup retries it by itself\. If it keeps failing: @Pickup is not a member of channel C1/,
    );
  });

  it('names the channel the way the reader sees it', () => {
    const slack = deliveryAdvice(failed(refused('not_in_channel'), 'CEXEC'), (c) => `<#${c}>`);
    expect(slack).toContain('@Pickup is not a member of <#CEXEC>');
    expect(deliveryAdvice(failed(refused('channel_not_found'), null))).toMatch(/^The channel does not exist/);
  });

  it('advises on every code the table lists, and the preflight reads the same table', () => {
    for (const code of ADVISED_SLACK_ERRORS) {
      const advice = slackErrorAdvice(code, 'C1');
      expect(advice).not.toMatch(/Slack answered/);
      expect(deliveryAdvice(failed(refused(code), 'C1'))).toBe(advice);
    }
  });
});

describe('recorded Slack errors', () => {
  it('round-trips the code through what the outbox records', () => {
    const err = toDeliveryError(
      Object.assign(new Error('An API error occurred: channel_not_found'), {
        code: 'slack_webapi_platform_error',
        data: { ok: false, error: 'channel_not_found' },
      }),
    );
    expect(err.retryable).toBe(false);
    expect(platformErrorCode(err.message)).toBe('channel_not_found');
    expect(platformErrorCode('Slack answered HTTP 500')).toBeUndefined();
    expect(platformErrorCode(null)).toBeUndefined();
  });
});

describe('deliveryAdvice for help-desk notes and webhook events', () => {
  const note = (reason: string | null, status: 'pending' | 'failed' = 'failed'): DeliveryProblem => ({
    status,
    reason,
    channel: null,
    destination: { kind: 'helpdesk', source: 'helpscout', ticketId: '42' },
  });
  const event = (reason: string | null, status: 'pending' | 'failed' = 'failed'): DeliveryProblem => ({
    status,
    reason,
    channel: null,
    destination: { kind: 'webhook' },
  });

  it.each([
    [
      httpFailureReason('Help Scout', 401, 'unauthorized'),
      /^Help Scout refused Pickup's credentials \(HTTP 401\)\. Check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET/,
    ],
    [
      httpFailureReason('Help Scout', 403, 'forbidden'),
      /does not let that account write on Help Scout ticket 42 \(HTTP 403\)/,
    ],
    [httpFailureReason('Help Scout', 404, 'not found'), /^Help Scout has no ticket 42 \(HTTP 404\).*HELPSCOUT_API_URL/],
    [httpFailureReason('Help Scout', 400, 'bad note'), /refused the note itself \(HTTP 400\).*Pickup bug/],
    [httpFailureReason('Help Scout', 429, 'slow down'), /^Help Scout could not be reached, or kept failing/],
    [httpFailureReason('Help Scout', 503, 'down'), /^Help Scout could not be reached, or kept failing/],
    [httpFailureReason('Help Scout', undefined, 'ECONNRESET'), /^Help Scout could not be reached/],
    [
      httpFailureReason('Help Scout', undefined, HELPDESK_NOT_CONFIGURED),
      /^Help Scout's API settings \(HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET\) are not set/,
    ],
  ])('a note that failed with %j', (reason, advice) => {
    expect(deliveryAdvice(note(reason))).toMatch(advice);
  });

  it.each([
    ['the webhook receiver answered HTTP 410: Gone', /endpoint is gone \(HTTP 410\)/],
    ['the webhook receiver answered HTTP 403', /could not verify Pickup-Signature/],
    [
      'the webhook receiver answered HTTP 308 (a redirect to https://x.example/h); Pickup does not follow redirects',
      /redirects \(HTTP 308\).*Set OUTCOME_WEBHOOK_URL to the address it redirects to/,
    ],
    ['the webhook receiver answered HTTP 422: unknown type', /refused the event \(HTTP 422\)/],
    ['the webhook receiver answered HTTP 408', /could not be reached, or kept failing/],
    ['the webhook receiver did not answer within 10 s', /could not be reached, or kept failing/],
    [WEBHOOK_NOT_CONFIGURED, /^Set OUTCOME_WEBHOOK_URL and OUTCOME_WEBHOOK_SECRET again/],
  ])('an event that failed with %j', (reason, advice) => {
    expect(deliveryAdvice(event(reason))).toMatch(advice);
  });

  it('says a waiting note or event needs nothing yet, and what to check if it keeps failing', () => {
    expect(deliveryAdvice(note(null, 'pending'))).toBe(
      'Nothing: it is queued and goes out within seconds while Pickup runs.',
    );
    expect(deliveryAdvice(event('the webhook receiver answered HTTP 503', 'pending'))).toMatch(
      /^Nothing yet: Pickup retries it by itself\. If it keeps failing: The receiver at OUTCOME_WEBHOOK_URL could not be reached/,
    );
  });

  it('reads the HTTP status back from what the outbox records', () => {
    expect(httpFailureReason('Zendesk', 401, "Couldn't authenticate you")).toBe(
      "Zendesk answered HTTP 401: Couldn't authenticate you",
    );
    expect(httpFailureReason('Zendesk', 401, 'HTTP 401 from the API')).toBe('Zendesk: HTTP 401 from the API');
    expect(httpStatusOf("Zendesk answered HTTP 401: Couldn't authenticate you")).toBe(401);
    expect(httpStatusOf('could not reach the webhook receiver: ECONNREFUSED')).toBeUndefined();
    expect(httpStatusOf(null)).toBeUndefined();
  });
});
