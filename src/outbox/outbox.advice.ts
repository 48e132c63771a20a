import type { VendorSource } from '../complaints/complaint';
import { platformErrorCode } from '../ports/slack.port';
import { HELPDESK_NOT_CONFIGURED, httpStatusOf, targetKeyOf, WEBHOOK_NOT_CONFIGURED } from './outbox';

/** Where a message goes when it is not a Slack message: a note on a help-desk ticket, or the outcome webhook. */
export type OtherDestination = { kind: 'helpdesk'; source: VendorSource; ticketId: string } | { kind: 'webhook' };

/** What is known about a delivery that failed or waits, enough to tell an operator what to do. */
export interface DeliveryProblem {
  status: 'pending' | 'failed';
  /** The recorded reason of the last failed attempt (the outbox's last_error), if any. */
  reason: string | null;
  /** Where a Slack message goes: a channel ID, or a user ID for a DM. */
  channel: string | null;
  /** Set for a help-desk note or a webhook event; absent for Slack. */
  destination?: OtherDestination | undefined;
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

/** Each help desk as operators know it: its name, the settings that give Pickup its API, and its URL override. */
const HELPDESK_SETUP: Record<VendorSource, { label: string; credentials: string; apiUrl: string }> = {
  zendesk: {
    label: 'Zendesk',
    credentials: 'ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN',
    apiUrl: 'ZENDESK_API_URL',
  },
  freshdesk: { label: 'Freshdesk', credentials: 'FRESHDESK_DOMAIN and FRESHDESK_API_KEY', apiUrl: 'FRESHDESK_API_URL' },
  jira: { label: 'Jira', credentials: 'JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN', apiUrl: 'JIRA_BASE_URL' },
  intercom: {
    label: 'Intercom',
    credentials: 'INTERCOM_ACCESS_TOKEN and INTERCOM_ADMIN_ID',
    apiUrl: 'INTERCOM_API_URL',
  },
  helpscout: {
    label: 'Help Scout',
    credentials: 'HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET',
    apiUrl: 'HELPSCOUT_API_URL',
  },
};

/** A help desk's name as people write it ("Help Scout"). */
export function helpDeskLabel(source: VendorSource): string {
  return HELPDESK_SETUP[source].label;
}

function helpDeskAdvice(reason: string, source: VendorSource, ticketId: string): string {
  const { label, credentials, apiUrl } = HELPDESK_SETUP[source];
  const ticket = `${label} ticket ${ticketId}`;
  if (reason.endsWith(HELPDESK_NOT_CONFIGURED)) {
    return `${label}'s API settings (${credentials}) are not set in this Pickup, so the note cannot be written. Set them and restart Pickup, then retry; or leave it: the note only tells the support team.`;
  }
  const status = httpStatusOf(reason);
  if (status === 401) {
    return `${label} refused Pickup's credentials (HTTP 401). Check ${credentials} (a mistyped, revoked or expired token), restart Pickup, then retry.`;
  }
  if (status === 403) {
    return `${label} accepted the credentials but does not let that account write on ${ticket} (HTTP 403). Give the account of ${credentials} the right to add internal notes (an agent role), then retry.`;
  }
  if (status === 404) {
    return `${label} has no ticket ${ticketId} (HTTP 404): it was deleted or merged, or ${apiUrl} points at another ${label} account. Nothing to do if the ticket is gone; otherwise fix the setting, restart Pickup and retry.`;
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return `${label} refused the note itself (HTTP ${status}), so retrying fails the same way: this is a Pickup bug. Report it with the key above.`;
  }
  return `${label} could not be reached, or kept failing, on every attempt. Check ${label}'s status page and that Pickup reaches its API (${apiUrl}, or ${label}'s own address) through any proxy or firewall; then retry.`;
}

function webhookAdvice(reason: string): string {
  if (reason === WEBHOOK_NOT_CONFIGURED) {
    return 'Set OUTCOME_WEBHOOK_URL and OUTCOME_WEBHOOK_SECRET again and restart Pickup, then retry; or leave it: nothing else waits on this event.';
  }
  const status = httpStatusOf(reason);
  if (status === 410) {
    return 'The receiver at OUTCOME_WEBHOOK_URL says the endpoint is gone (HTTP 410). Point OUTCOME_WEBHOOK_URL at its new address, or unset it to stop sending events; then retry.';
  }
  if (status === 401 || status === 403) {
    return `The receiver refused the event (HTTP ${status}): most likely it could not verify Pickup-Signature. Give it the same OUTCOME_WEBHOOK_SECRET as Pickup (README, "Outgoing webhooks"), then retry.`;
  }
  if (status === 404) return 'OUTCOME_WEBHOOK_URL points at no endpoint (HTTP 404). Correct the URL, then retry.';
  if (status !== undefined && status >= 300 && status < 400) {
    return `The receiver redirects (HTTP ${status}), and Pickup does not follow redirects. Set OUTCOME_WEBHOOK_URL to the address it redirects to, then retry.`;
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return `The receiver refused the event (HTTP ${status}); what it said is in the reason. Fix the receiver, then retry: the event keeps its id, so a receiver that already has it can tell.`;
  }
  return 'The receiver at OUTCOME_WEBHOOK_URL could not be reached, or kept failing, on every attempt. Check that it is up and that Pickup reaches it through any proxy or firewall; then retry.';
}

function adviceFor(problem: DeliveryProblem & { reason: string }, label: ChannelLabel): string {
  const to = problem.destination;
  if (to?.kind === 'helpdesk') return helpDeskAdvice(problem.reason, to.source, to.ticketId);
  if (to?.kind === 'webhook') return webhookAdvice(problem.reason);
  return adviceForReason(problem.reason, problem.channel, label);
}

/**
 * What an operator should do about one delivery that failed or is waiting, from the reason it failed with
 * (Slack's error code, or the HTTP status a help desk or the webhook receiver answered). The one place that turns
 * a failed delivery into advice: the CLI, App Home, and the start-up preflight all read it here.
 */
export function deliveryAdvice(problem: DeliveryProblem, label: ChannelLabel = plainChannel): string {
  const { reason } = problem;
  if (problem.status === 'pending') {
    if (!reason) return 'Nothing: it is queued and goes out within seconds while Pickup runs.';
    return `Nothing yet: Pickup retries it by itself. If it keeps failing: ${adviceFor({ ...problem, reason }, label)}`;
  }
  if (!reason) return 'Retry it; if it fails again, the reason will be recorded here.';
  return adviceFor({ ...problem, reason }, label);
}

/** Advice for a Slack error code alone (the preflight predicts the code a post would get). */
export function slackErrorAdvice(code: string, channel: string | null, label: ChannelLabel = plainChannel): string {
  const advise = ADVICE_BY_CODE[code];
  return advise ? capitalized(advise(whereOf(channel, label))) : `Slack answered "${code}". Fix what it names.`;
}
