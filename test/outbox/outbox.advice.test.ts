import { targetNeverDelivered } from '../../src/outbox/outbox';
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
