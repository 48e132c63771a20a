/** What conversations.info says about a channel, as far as posting goes. */
export interface ChannelFacts {
  is_private?: boolean | undefined;
  is_member?: boolean | undefined;
  is_archived?: boolean | undefined;
}

/**
 * The Slack error a post to this channel would get, or undefined when it would land. Pure, from conversations.info
 * and the token's scopes (undefined when Slack did not say, which is then given the benefit of the doubt). The
 * start-up preflight and the settings' channel check both ask it, so they agree.
 */
export function predictPostError(channel: ChannelFacts, scopes: readonly string[] | undefined): string | undefined {
  if (channel.is_archived) return 'is_archived';
  if (channel.is_member) return undefined;
  // Slack hides a private channel from a bot outside it: a post answers channel_not_found.
  if (channel.is_private) return 'channel_not_found';
  if (scopes && !scopes.includes('chat:write.public')) return 'not_in_channel';
  return undefined;
}
