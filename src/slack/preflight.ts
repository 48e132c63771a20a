import type { WebClient } from '@slack/web-api';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { slackErrorAdvice } from '../outbox/outbox.advice';
import { platformErrorCode } from '../ports/slack.port';
import { type ChannelFacts, predictPostError } from './post-check';
import { toDeliveryError } from './slack.client';

// Known by this module's name too: the rule moved to post-check.ts so the Slack port can use it without a cycle.
export { type ChannelFacts, predictPostError } from './post-check';

/** How long start-up waits for the preflight before going on without it. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

/** The scopes the preflight itself needs: conversations.info on public and on private channels. */
export const PREFLIGHT_SCOPES = ['channels:read', 'groups:read'] as const;

/** Codes about one channel; any other (token, scope, network) is the same for all of them. */
const CHANNEL_CODES = new Set(['channel_not_found', 'not_in_channel', 'is_archived']);

/** One channel setting to check, by the variable that names it. */
interface ChannelSetting {
  setting: string;
  channel: string;
}

/** A problem found: what is wrong, and the fix, in one line each. */
interface Finding {
  problem: string;
  fix: string;
  code: string;
}

function describeInfoFailure(err: unknown, channel: string): Finding {
  const reason = toDeliveryError(err).message;
  const code = platformErrorCode(reason);
  if (code === 'channel_not_found') {
    return { code, problem: 'Slack knows no such channel that Pickup can see', fix: slackErrorAdvice(code, channel) };
  }
  if (code === 'missing_scope') {
    return {
      code,
      problem: `Pickup cannot check it: the app lacks ${PREFLIGHT_SCOPES.join(' / ')}`,
      fix: slackErrorAdvice(code, channel),
    };
  }
  if (code) return { code, problem: `Slack answered ${code}`, fix: slackErrorAdvice(code, channel) };
  return {
    code: 'unreachable',
    problem: `it could not be checked (${reason})`,
    fix: slackErrorAdvice('ratelimited', channel),
  };
}

async function checkChannel(client: WebClient, channel: string): Promise<Finding | undefined> {
  try {
    const info = await client.conversations.info({ channel });
    const facts = (info.channel ?? {}) as ChannelFacts;
    const code = predictPostError(facts, info.response_metadata?.scopes);
    if (!code) return undefined;
    const problem =
      code === 'is_archived'
        ? 'the channel is archived'
        : code === 'channel_not_found'
          ? 'it is private and @Pickup is not a member, so posts would fail with channel_not_found'
          : '@Pickup is not a member and the app lacks chat:write.public, so posts would fail with not_in_channel';
    return { code, problem, fix: slackErrorAdvice(code, channel) };
  } catch (err) {
    return describeInfoFailure(err, channel);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Start-up preflight: can Pickup post to EXEC_CHANNEL, LEADERSHIP_CHANNEL and SUPPORT_CHANNEL, those that are set
 * (none on a first run)? Each problem is logged once, as a
 * warning with its fix, and start-up goes on: a wrong channel is for a person to fix, and the outbox keeps what
 * fails. Bounded by `timeoutMs`; never throws.
 */
export async function checkSlackChannels(
  client: WebClient,
  config: Pick<Config, 'execChannel' | 'leadershipChannel'> & Partial<Pick<Config, 'supportChannel'>>,
  logger: Logger,
  timeoutMs = PREFLIGHT_TIMEOUT_MS,
): Promise<void> {
  const log = logger.child({ job: 'preflight' });
  const settings: ChannelSetting[] = [
    { setting: 'EXEC_CHANNEL', channel: config.execChannel },
    { setting: 'LEADERSHIP_CHANNEL', channel: config.leadershipChannel },
    { setting: 'SUPPORT_CHANNEL', channel: config.supportChannel ?? '' },
  ].filter((s) => s.channel !== '');
  // A first run has no channels yet: setup (logged once, at warn) chooses them, and the modal checks each one then.
  if (settings.length === 0) {
    log.debug('Slack preflight: no channel is set yet, nothing to check');
    return;
  }
  const channels = [...new Set(settings.map((s) => s.channel))];
  const checks = Promise.all(channels.map(async (channel) => [channel, await checkChannel(client, channel)] as const));
  const results = await withTimeout(checks, timeoutMs);
  if (results === 'timeout') {
    log.warn(
      { timeoutMs },
      `Slack did not answer within ${timeoutMs} ms, so Pickup started without checking that it can post to its channels. ${slackErrorAdvice('ratelimited', null)}`,
    );
    return;
  }
  const findings = new Map(results);
  const reported = new Set<string>();
  for (const { setting, channel } of settings) {
    const finding = findings.get(channel);
    if (!finding) continue;
    const aboutChannel = CHANNEL_CODES.has(finding.code);
    // A token, scope or network problem is the same for every channel: one warning names them all.
    if (!aboutChannel && reported.has(finding.code)) continue;
    reported.add(finding.code);
    const names = aboutChannel
      ? `${setting} (${channel})`
      : settings
          .filter((s) => findings.get(s.channel)?.code === finding.code)
          .map((s) => `${s.setting} (${s.channel})`)
          .join(' and ');
    log.warn(
      { setting, channel, code: finding.code },
      `Pickup cannot post to ${names}: ${finding.problem}. Fix: ${finding.fix} Pickup keeps running; messages that fail to post are kept in the outbox (npm run cli -- outbox).`,
    );
  }
  if (reported.size === 0) {
    log.info({ channels: settings.map((s) => s.setting) }, 'Slack preflight: Pickup can post to its channels');
  }
}
