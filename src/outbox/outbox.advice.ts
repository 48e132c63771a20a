import { platformErrorCode } from '../ports/slack.port';
import { targetKeyOf } from './outbox';

/** What is known about a delivery that failed or waits, enough to tell an operator what to do. */
export interface DeliveryProblem {
  status: 'pending' | 'failed';
  /** The recorded reason of the last failed attempt (the outbox's last_error), if any. */
  reason: string | null;
  /** Where the message goes: a channel ID, or a user ID for a DM. */
  channel: string | null;
}

/** How a channel is written: plain `channel C123` for a terminal, `<#C123>` in Slack. */
export type ChannelLabel = (channel: string) => string;

const plainChannel: ChannelLabel = (channel) => `channel ${channel}`;

const TOKEN_ADVICE =
  "Slack no longer accepts Pickup's bot token (the app was uninstalled, the token revoked or rotated, or the bot deactivated). Reinstall the app (OAuth & Permissions → Reinstall to Workspace), put its xoxb- token in SLACK_BOT_TOKEN and restart Pickup.";
const UNREACHABLE_ADVICE =
  'Slack could not be reached, or kept failing, on every attempt. Check https://status.slack.com and that Pickup reaches slack.com (or SLACK_API_URL) through any proxy or firewall.';
const MESSAGE_ADVICE =
  'Slack refused the message itself, so retrying fails the same way: this is a Pickup bug. Report it with the key above.';
const EDIT_ADVICE =
  'The message this edits was deleted or can no longer be edited. Nothing to do: the change is only cosmetic.';

/** Advice by Slack error code; `where` names the channel, or "the person" for a DM. */
const ADVICE_BY_CODE: Record<string, (where: string) => string> = {
  channel_not_found: (where) =>
    `${where} does not exist, or it is private and @Pickup is not in it. Check the channel ID (EXEC_CHANNEL, LEADERSHIP_CHANNEL or SUPPORT_CHANNEL), or invite @Pickup to the channel (/invite @Pickup).`,
  not_in_channel: (where) =>
    `@Pickup is not a member of ${where}. Invite @Pickup to the channel (/invite @Pickup), or give the app the chat:write.public scope for public channels.`,
  is_archived: (where) => `${where} is archived. Unarchive it, or point Pickup at another channel.`,
  restricted_action: (where) =>
    `The workspace does not let apps post in ${where}. Allow @Pickup to post there (channel settings → posting permissions), or choose another channel.`,
  missing_scope: () =>
    "The Slack app lacks a permission Pickup needs. Add the scopes listed in Pickup's manifest.json (OAuth & Permissions → Scopes) and reinstall the app.",
  user_not_found: () =>
    'The person cannot be messaged (deactivated, or not in this workspace). Remove them from EXECUTIVES or SUPPORT_LEADS.',
  user_disabled: () => 'The person has been deactivated. Remove them from EXECUTIVES or SUPPORT_LEADS.',
  cannot_dm_bot: () =>
    'The person is a bot, and bots cannot be messaged. Remove them from EXECUTIVES or SUPPORT_LEADS.',
  invalid_auth: () => TOKEN_ADVICE,
  not_authed: () => TOKEN_ADVICE,
  account_inactive: () => TOKEN_ADVICE,
  token_revoked: () => TOKEN_ADVICE,
  token_expired: () => TOKEN_ADVICE,
  invalid_blocks: () => MESSAGE_ADVICE,
  msg_too_long: () => MESSAGE_ADVICE,
  no_text: () => MESSAGE_ADVICE,
  invalid_arguments: () => MESSAGE_ADVICE,
  message_not_found: () => EDIT_ADVICE,
  cant_update_message: () => EDIT_ADVICE,
  edit_window_closed: () => EDIT_ADVICE,
  ratelimited: () => UNREACHABLE_ADVICE,
  internal_error: () => UNREACHABLE_ADVICE,
  fatal_error: () => UNREACHABLE_ADVICE,
  service_unavailable: () => UNREACHABLE_ADVICE,
  request_timeout: () => UNREACHABLE_ADVICE,
};

/** Every Slack error code the advice table knows, for tests and docs. */
export const ADVISED_SLACK_ERRORS: readonly string[] = Object.keys(ADVICE_BY_CODE);

function whereOf(channel: string | null, label: ChannelLabel): string {
  if (!channel) return 'the channel';
  // A user ID (or its DM) as channel means the message was a DM to that person.
  if (/^[UWD]/.test(channel)) return 'the person';
  return label(channel);
}

// The channel's label may open a sentence.
const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function adviceForReason(reason: string, channel: string | null, label: ChannelLabel): string {
  const code = platformErrorCode(reason);
  if (code) return slackErrorAdvice(code, channel, label);
  const target = targetKeyOf(reason);
  if (target)
    return `It edits or replies to message ${target}, which was never delivered. Fix and retry that one: retrying it retries this one too.`;
  return UNREACHABLE_ADVICE;
}

/**
 * What an operator should do about one delivery that failed or is waiting, from the reason it failed with
 * (Slack's error code, most often). The one place that turns a Slack error into advice: the CLI, App Home,
 * and the start-up preflight all read it here.
 */
export function deliveryAdvice(problem: DeliveryProblem, label: ChannelLabel = plainChannel): string {
  if (problem.status === 'pending') {
    if (!problem.reason) return 'Nothing: it is queued and goes out within seconds while Pickup runs.';
    return `Nothing yet: Pickup retries it by itself. If it keeps failing: ${adviceForReason(problem.reason, problem.channel, label)}`;
  }
  if (!problem.reason) return 'Retry it; if it fails again, the reason will be recorded here.';
  return adviceForReason(problem.reason, problem.channel, label);
}

/** Advice for a Slack error code alone (the preflight predicts the code a post would get). */
export function slackErrorAdvice(code: string, channel: string | null, label: ChannelLabel = plainChannel): string {
  const advise = ADVICE_BY_CODE[code];
  return advise ? capitalized(advise(whereOf(channel, label))) : `Slack answered "${code}". Fix what it names.`;
}
