import type { Logger } from '../logger';
import type { SlackPort } from '../ports/slack.port';

/** Who may do what, from the EXECUTIVES and SUPPORT_LEADS lists (user IDs and user groups). */
export interface Roles {
  isExecutive(userId: string): Promise<boolean>;
  isSupportLead(userId: string): Promise<boolean>;
  /** Every executive's user ID, user groups expanded. */
  listExecutives(): Promise<string[]>;
  listSupportLeads(): Promise<string[]>;
  /** The configured entries as Slack mentions, for "ask one of …" refusals. */
  describeExecutives(): string;
  describeSupportLeads(): string;
}

/** How long a user group's member list is trusted before asking Slack again. */
const GROUP_CACHE_MS = 5 * 60_000;

/**
 * Resolves roles, expanding user groups through usergroups.users.list with a short cache.
 * When Slack cannot be asked, a stale list is used if there is one; otherwise the group counts as empty,
 * so an outage refuses access rather than granting it.
 */
export function createRoles(
  lists: { executives: readonly string[]; supportLeads: readonly string[] },
  slack: Pick<SlackPort, 'listUserGroupMembers'>,
  logger: Logger,
  // Only a cache's age is measured with it: a duration, so the real clock by default.
  now: () => number = Date.now,
): Roles {
  const cache = new Map<string, { members: string[]; at: number }>();

  async function members(groupId: string): Promise<string[]> {
    const cached = cache.get(groupId);
    if (cached && now() - cached.at < GROUP_CACHE_MS) return cached.members;
    try {
      const fresh = await slack.listUserGroupMembers(groupId);
      cache.set(groupId, { members: fresh, at: now() });
      return fresh;
    } catch (err) {
      logger.warn({ err, groupId }, 'could not list user group members');
      return cached?.members ?? [];
    }
  }

  async function expand(entries: readonly string[]): Promise<string[]> {
    const users = new Set<string>();
    for (const entry of entries) {
      if (entry.startsWith('S')) for (const m of await members(entry)) users.add(m);
      else users.add(entry);
    }
    return [...users];
  }

  async function includes(entries: readonly string[], userId: string): Promise<boolean> {
    if (entries.includes(userId)) return true;
    for (const entry of entries) {
      if (entry.startsWith('S') && (await members(entry)).includes(userId)) return true;
    }
    return false;
  }

  const describe = (entries: readonly string[]) =>
    entries.map((e) => (e.startsWith('S') ? `<!subteam^${e}>` : `<@${e}>`)).join(', ');

  return {
    isExecutive: (u) => includes(lists.executives, u),
    isSupportLead: (u) => includes(lists.supportLeads, u),
    listExecutives: () => expand(lists.executives),
    listSupportLeads: () => expand(lists.supportLeads),
    describeExecutives: () => describe(lists.executives),
    describeSupportLeads: () => describe(lists.supportLeads),
  };
}
