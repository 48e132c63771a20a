import type { Logger } from '../logger';
import type { SlackPort, UserProfile } from '../ports/slack.port';
import { isTimeZone } from '../shared/time';

/** Names and titles of Slack users, looked up once in a while: at most one users.info per person per `ttlMs`. */
export interface ProfileDirectory {
  /**
   * The person's profile, or undefined when Slack does not say within the time-out or fails (callers then say
   * "an executive"). Never throws: a name is a courtesy, never a reason to fail what asked for it.
   */
  describe(userId: string): Promise<UserProfile | undefined>;
}

/** How long a profile is trusted, and how long a failed lookup is not retried. */
export interface ProfileDirectoryOptions {
  ttlMs: number;
  failureTtlMs: number;
  /** How long a caller waits for Slack; the lookup goes on and fills the cache for the next one. */
  timeoutMs: number;
  now: () => number;
}

/** Titles change rarely and a stale one for an hour is harmless; a failure is retried after a minute. */
export const DEFAULT_PROFILE_OPTIONS: ProfileDirectoryOptions = {
  ttlMs: 60 * 60_000,
  failureTtlMs: 60_000,
  timeoutMs: 2_000,
  now: Date.now,
};

interface Entry {
  expiresAt: number;
  profile: Promise<UserProfile | undefined>;
}

/** A ProfileDirectory over Slack's users.info, with a cache shared by every caller (concurrent ones share a call). */
export function createProfileDirectory(
  slack: Pick<SlackPort, 'getUserProfile'>,
  logger: Logger,
  options: ProfileDirectoryOptions = DEFAULT_PROFILE_OPTIONS,
): ProfileDirectory {
  const cache = new Map<string, Entry>();
  const lookUp = (userId: string): Entry => {
    const entry: Entry = {
      expiresAt: options.now() + options.ttlMs,
      profile: slack.getUserProfile(userId).catch((err: unknown) => {
        entry.expiresAt = options.now() + options.failureTtlMs;
        logger.warn(
          { err, userId },
          'could not read a Slack profile; meanwhile notes say "an executive" and reminders follow TIMEZONE',
        );
        return undefined;
      }),
    };
    cache.set(userId, entry);
    return entry;
  };
  return {
    async describe(userId) {
      const cached = cache.get(userId);
      const entry = cached && cached.expiresAt > options.now() ? cached : lookUp(userId);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs);
      });
      try {
        return await Promise.race([entry.profile, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A person's own time zone (IANA), or undefined when Slack does not say (callers then use TIMEZONE). */
export type ZoneOf = (userId: string) => Promise<string | undefined>;

/**
 * Each person's time zone as their Slack profile gives it (users.info `tz`), through the directory's cache: one
 * users.info per person an hour at most, shared with the names in help-desk notes. A zone this process's ICU does
 * not know counts as unknown.
 */
export function zonesOf(profiles: ProfileDirectory): ZoneOf {
  return async (userId) => {
    const zone = (await profiles.describe(userId))?.timezone;
    return zone && isTimeZone(zone) ? zone : undefined;
  };
}
