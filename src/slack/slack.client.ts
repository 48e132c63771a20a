import { ErrorCode, type WebAPICallError, WebClient } from '@slack/web-api';
import type { Logger } from '../logger';
import {
  type ChannelInfo,
  type PostedMessage,
  platformErrorCode,
  platformErrorMessage,
  SlackDeliveryError,
  type SlackPort,
} from '../ports/slack.port';
import { toBoltLogger } from './bolt-logger';
import { type ChannelFacts, predictPostError } from './post-check';

/** Platform errors worth another try; every other `ok:false` answer is permanent. */
const RETRYABLE_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * A WebClient that fails fast: no SDK retries and rate-limited calls rejected, because the outbox owns
 * retries (honouring Retry-After) and interactive paths must not block past Slack's 3 seconds.
 */
export function createWebClient(token: string | undefined, apiUrl: string | undefined, logger: Logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    logger: toBoltLogger(logger.child({ component: 'web-api' })),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

/** Maps a Web API failure to a SlackDeliveryError that says whether to retry, and when. */
export function toDeliveryError(err: unknown): SlackDeliveryError {
  const e = err as WebAPICallError & { retryAfter?: number; statusCode?: number; data?: { error?: string } };
  const cause = err;
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return new SlackDeliveryError('rate limited by Slack', true, { retryAfterMs: (e.retryAfter ?? 1) * 1000, cause });
    case ErrorCode.HTTPError:
      return new SlackDeliveryError(`Slack answered HTTP ${e.statusCode}`, (e.statusCode ?? 500) >= 500, { cause });
    case ErrorCode.RequestError:
      return new SlackDeliveryError(`could not reach Slack: ${e.message}`, true, { cause });
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new SlackDeliveryError(platformErrorMessage(code), RETRYABLE_PLATFORM_ERRORS.has(code), { cause });
    }
    default:
      return new SlackDeliveryError(err instanceof Error ? err.message : String(err), true, { cause });
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDeliveryError(err);
  }
}

/** users.lookupByEmail; Slack's `users_not_found` is an answer (nobody by that email), not a failure. */
async function findUserIdByEmail(client: WebClient, email: string): Promise<string | undefined> {
  try {
    const r = await client.users.lookupByEmail({ email });
    return r.user?.id;
  } catch (err) {
    const failure = toDeliveryError(err);
    if (platformErrorCode(failure.message) === 'users_not_found') return undefined;
    throw failure;
  }
}

/** conversations.info; `channel_not_found` is an answer (the bot sees no such channel), not a failure. */
async function getChannelInfo(client: WebClient, channelId: string): Promise<ChannelInfo | undefined> {
  try {
    const r = await client.conversations.info({ channel: channelId });
    const facts: ChannelFacts = r.channel ?? {};
    return {
      name: r.channel?.name ?? null,
      isPrivate: facts.is_private === true,
      isArchived: facts.is_archived === true,
      postError: predictPostError(facts, r.response_metadata?.scopes),
    };
  } catch (err) {
    const failure = toDeliveryError(err);
    if (platformErrorCode(failure.message) === 'channel_not_found') return undefined;
    throw failure;
  }
}

/** The SlackPort over the Web API. */
export function createSlackPort(client: WebClient): SlackPort {
  return {
    postMessage: (m) =>
      call(async () => {
        const r = await client.chat.postMessage({
          channel: m.channel,
          text: m.text,
          blocks: m.blocks,
          thread_ts: m.threadTs,
          unfurl_links: false,
          unfurl_media: false,
        });
        return { channel: r.channel ?? m.channel, ts: r.ts ?? '' } satisfies PostedMessage;
      }),
    updateMessage: (m) =>
      call(async () => {
        const r = await client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks });
        return { channel: r.channel ?? m.channel, ts: r.ts ?? m.ts };
      }),
    postEphemeral: (m) =>
      call(async () => {
        await client.chat.postEphemeral({
          channel: m.channel,
          user: m.user,
          text: m.text,
          blocks: m.blocks,
          thread_ts: m.threadTs,
        });
      }),
    uploadFile: (f) =>
      call(async () => {
        const upload = {
          channel_id: f.channel,
          file: Buffer.from(f.contentBase64, 'base64'),
          filename: f.filename,
          title: f.title,
          alt_text: f.altText,
        };
        // Two shapes, not an optional thread_ts: the SDK types a thread reply and a channel upload apart.
        await client.files.uploadV2(f.threadTs ? { ...upload, thread_ts: f.threadTs } : upload);
      }),
    publishHome: (userId, view) =>
      call(async () => {
        await client.views.publish({ user_id: userId, view });
      }),
    listUserGroupMembers: (groupId) =>
      call(async () => {
        const r = await client.usergroups.users.list({ usergroup: groupId });
        return r.users ?? [];
      }),
    getUserProfile: (userId) =>
      call(async () => {
        const { user } = await client.users.info({ user: userId });
        const profile = user?.profile;
        const name = profile?.real_name || user?.real_name || profile?.display_name || null;
        return {
          name,
          title: profile?.title || null,
          timezone: user?.tz || null,
          isWorkspaceAdmin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner),
        };
      }),
    findUserIdByEmail: (email) => findUserIdByEmail(client, email),
    listUserGroups: () =>
      call(async () => {
        const r = await client.usergroups.list({ include_disabled: false });
        return (r.usergroups ?? []).flatMap((g) =>
          g.id ? [{ id: g.id, name: g.name ?? g.handle ?? g.id, handle: g.handle ?? '' }] : [],
        );
      }),
    getChannelInfo: (channelId) => getChannelInfo(client, channelId),
  };
}
