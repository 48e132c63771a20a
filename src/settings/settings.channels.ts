import type { Logger } from '../logger';
import type { ChannelInfo, SlackPort } from '../ports/slack.port';
import type { FormErrors } from '../shared/view-state';
import type { ChannelSetting } from './settings.modals';

/**
 * How long the check may wait for Slack. A modal's submission must be answered within 3 seconds, and the save
 * comes after the check, so Slack gets most of that and no more.
 */
export const CHANNEL_CHECK_MS = 1_800;

// Inline errors are plain text: no backticks, no links.
const INVITE = '(/invite @Pickup in the channel)';

/**
 * Why Pickup could not post to a chosen channel, as the inline error under its field, or undefined when it can.
 * `info` is what conversations.info said; undefined when Slack showed the bot no such channel, which for a channel
 * someone could just pick means a private one Pickup is not in.
 */
export function channelProblem(info: ChannelInfo | undefined): string | undefined {
  const name = info?.name ? `#${info.name}` : 'this channel';
  if (!info) {
    return `Invite @Pickup to this channel first ${INVITE}: it is private, and Pickup can only post in private channels it is a member of.`;
  }
  switch (info.postError) {
    case undefined:
      return undefined;
    case 'is_archived':
      return `${name} is archived, so nothing can be posted there. Choose another channel, or unarchive it first.`;
    case 'channel_not_found':
      return `Invite @Pickup to ${name} first ${INVITE}: it is private, and Pickup can only post in private channels it is a member of.`;
    case 'not_in_channel':
      return `Invite @Pickup to ${name} first ${INVITE}: this install of Pickup lacks chat:write.public, so it only posts in channels it is a member of.`;
    default:
      return `Pickup cannot post to ${name}: Slack would answer ${info.postError}.`;
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
 * Checks with Slack that Pickup can post to each chosen channel, in parallel and within `timeoutMs`: the inline
 * errors, by the setting's block. When Slack cannot answer in time (or at all, or the app lacks the scope to ask),
 * the channel is given the benefit of the doubt with a warning in the log, as the start-up preflight does: a
 * wrong channel then shows as a failed post in the outbox and the App Home, and a Slack hiccup never blocks setup.
 */
export async function checkChannels(
  slack: Pick<SlackPort, 'getChannelInfo'>,
  chosen: Partial<Record<ChannelSetting, string>>,
  options: { logger: Logger; timeoutMs?: number },
): Promise<FormErrors> {
  const timeoutMs = options.timeoutMs ?? CHANNEL_CHECK_MS;
  const entries = Object.entries(chosen).filter((e): e is [ChannelSetting, string] => Boolean(e[1]));
  const channels = [...new Set(entries.map(([, channel]) => channel))];
  const answers = new Map(
    await Promise.all(
      channels.map(async (channel) => {
        const answer = await withTimeout(
          slack.getChannelInfo(channel).then(
            (info) => ({ info }),
            (err: unknown) => ({ err }),
          ),
          timeoutMs,
        );
        return [channel, answer] as const;
      }),
    ),
  );
  const errors: FormErrors = {};
  for (const [setting, channel] of entries) {
    const answer = answers.get(channel);
    if (answer === 'timeout' || answer === undefined || 'err' in answer) {
      const err = answer === 'timeout' || answer === undefined ? undefined : answer.err;
      options.logger.warn(
        { err, setting, channel, timeoutMs },
        'could not check with Slack that Pickup can post to a channel chosen in the settings; saving it anyway',
      );
      continue;
    }
    const problem = channelProblem(answer.info);
    if (problem) errors[setting] = problem;
  }
  return errors;
}
