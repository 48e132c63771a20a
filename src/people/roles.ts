import type { Logger } from '../logger';
import type { SlackPort } from '../ports/slack.port';

/** Who may do what, from the EXECUTIVES, SUPPORT_LEADS and PICKUP_ADMINS lists (user IDs and user groups). */
export interface Roles {
  isExecutive(userId: string): Promise<boolean>;
  isSupportLead(userId: string): Promise<boolean>;
  /** The workspace's admins and owners (users.info), and PICKUP_ADMINS: who may change settings. */
  isAdmin(userId: string): Promise<boolean>;
  /** Every executive's user ID, user groups expanded. */
  listExecutives(): Promise<string[]>;
  listSupportLeads(): Promise<string[]>;
  /** The configured entries as Slack mentions, for "ask one of …" refusals. */
  describeExecutives(): string;
  describeSupportLeads(): string;
  describeAdmins(): string;
}

/** The lists roles are read from; read at each check, so a list changed in settings applies on the next click. */
export interface RoleLists {
  readonly executives: readonly string[];
  readonly supportLeads: readonly string[];
  readonly pickupAdmins?: readonly string[];
}

/** How long a user group's member list, or a person's admin flag, is trusted before asking Slack again. */
const CACHE_MS = 5 * 60_000;

/**
 * Resolves roles, expanding user groups through usergroups.users.list with a short cache.
 * When Slack cannot be asked, a stale list is used if there is one; otherwise the group counts as empty,
 * so an outage refuses access rather than granting it.
 */
export function createRoles(
  lists: RoleLists,
  slack: Pick<SlackPort, 'listUserGroupMembers'> & Partial<Pick<SlackPort, 'getUserProfile'>>,
  logger: Logger,
  // Only a cache's age is measured with it: a duration, so the real clock by default.
  now: () => number = Date.now,
): Roles {
  const groups = cached(
    now,
    (groupId: string) => slack.listUserGroupMembers(groupId),
    [] as string[],
    (err, id) => logger.warn({ err, groupId: id }, 'could not list user group members'),
  );
  const workspaceAdmins = cached(
    now,
    async (userId: string) => (await slack.getUserProfile?.(userId))?.isWorkspaceAdmin === true,
    false,
    (err, id) => logger.warn({ err, userId: id }, 'could not tell whether a user is a workspace admin'),
  );

  async function expand(entries: readonly string[]): Promise<string[]> {
    const users = new Set<string>();
    for (const entry of entries) {
      if (entry.startsWith('S')) for (const m of await groups(entry)) users.add(m);
      else users.add(entry);
    }
    return [...users];
  }

  async function includes(entries: readonly string[], userId: string): Promise<boolean> {
    if (entries.includes(userId)) return true;
    for (const entry of entries) {
      if (entry.startsWith('S') && (await groups(entry)).includes(userId)) return true;
    }
    return false;
  }

  const describe = (entries: readonly string[]) =>
    entries.map((e) => (e.startsWith('S') ? `<!subteam^${e}>` : `<@${e}>`)).join(', ');

  return {
    isExecutive: (u) => includes(lists.executives, u),
    isSupportLead: (u) => includes(lists.supportLeads, u),
    isAdmin: async (u) => (await includes(lists.pickupAdmins ?? [], u)) || (await workspaceAdmins(u)),
    listExecutives: () => expand(lists.executives),
    listSupportLeads: () => expand(lists.supportLeads),
    describeExecutives: () => describe(lists.executives),
    describeSupportLeads: () => describe(lists.supportLeads),
    describeAdmins: () => {
      const named = describe(lists.pickupAdmins ?? []);
      return named ? `the workspace's admins and owners, and ${named}` : "the workspace's admins and owners";
    },
  };
}

/**
 * A lookup remembered for CACHE_MS per key. A failed lookup answers the last known value, or `fallback` (which
 * refuses access) when there is none, and is retried at the next call.
 */
function cached<T>(
  now: () => number,
  look: (key: string) => Promise<T>,
  fallback: T,
  onError: (err: unknown, key: string) => void,
): (key: string) => Promise<T> {
  const cache = new Map<string, { value: T; at: number }>();
  return async (key) => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < CACHE_MS) return hit.value;
    try {
      const value = await look(key);
      cache.set(key, { value, at: now() });
      return value;
    } catch (err) {
      onError(err, key);
      return hit?.value ?? fallback;
    }
  };
}
