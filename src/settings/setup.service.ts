import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import { enqueueMessage } from '../outbox/outbox.repository';
import { hasPickBefore } from '../picks/pick.repository';
import { DomainError } from '../shared/errors';
import { dateInZone } from '../shared/time';
import { nextPickDates, type PickCalendar } from './schedule';
import { type EssentialSetting, SETTINGS } from './settings';
import { setUninstalled } from './settings.repository';
import { type LiveSettings, missingEssentials } from './settings.service';
import { buildWelcome } from './welcome.blocks';

/** Where the operator reads how to erase what Pickup keeps (README, written for issue 14). */
export const ERASE_GUIDE = 'README.md, section "Uninstall and erase"';

/** What of the live settings the first-run and uninstall rules read. */
export type SetupState = Pick<LiveSettings, 'missingEssentials' | 'uninstalled'>;

/** Why Pickup posts nothing right now. */
export type PostingHold =
  | { kind: 'setup_incomplete'; missing: EssentialSetting[] }
  | { kind: 'uninstalled'; at: Date; reason: string };

/** Why Pickup must not post now (removed from the workspace, or setup incomplete), or undefined when it may. */
export function postingHold(settings: SetupState): PostingHold | undefined {
  const removed = settings.uninstalled();
  if (removed) return { kind: 'uninstalled', ...removed };
  const missing = settings.missingEssentials();
  return missing.length > 0 ? { kind: 'setup_incomplete', missing } : undefined;
}

/** A hold in a few words, for a log line. */
export function describeHold(hold: PostingHold): string {
  return hold.kind === 'uninstalled'
    ? `Pickup was removed from the Slack workspace (${hold.reason} at ${hold.at.toISOString()}); nothing is posted`
    : `setup is incomplete (missing ${hold.missing.join(', ')}); nothing is posted`;
}

/** The essentials by their labels in Slack: "Executives' channel, Support leads". */
function missingLabels(missing: readonly EssentialSetting[]): string {
  return missing.map((name) => SETTINGS[name].label).join(', ');
}

/** What a person who tries to use Pickup before setup is finished is told (ephemerally). */
export function notSetUpMessage(missing: readonly EssentialSetting[]): string {
  return `Pickup is not set up yet: ${missingLabels(missing)} still missing; an admin can finish setup in Pickup's App Home.`;
}

/** Throws DomainError('not_set_up') while an essential setting is missing: nothing can be picked or claimed yet. */
export function assertSetUp(settings: Pick<LiveSettings, 'missingEssentials'>): void {
  const missing = settings.missingEssentials();
  if (missing.length > 0) throw new DomainError('not_set_up', notSetUpMessage(missing));
}

/** The start-up warning while setup is incomplete: what is missing, and the two ways to set it. */
export function setupIncompleteMessage(missing: readonly EssentialSetting[]): string {
  const list = missing.map((name) => `${name} (${SETTINGS[name].label}: ${SETTINGS[name].help})`).join('; ');
  return (
    `Setup is incomplete: Pickup is running but posts nothing until these are set: ${list}. ` +
    'To finish: a Slack admin (a workspace admin or owner, or one of PICKUP_ADMINS) opens Pickup\'s App Home and clicks "Set up Pickup"; ' +
    `or set ${missing.join(', ')} in the environment and restart (or \`npm run cli -- settings set NAME VALUE\`).`
  );
}

/** The welcome's outbox key: one welcome per workspace, ever, whichever instance queues it and however often. */
export function welcomeKey(teamId: string): string {
  return `welcome:${teamId}`;
}

/**
 * When the next pick comes: the pick schedule's next run after `now` (in TIMEZONE) on a day that is no holiday
 * (HOLIDAYS or HOLIDAY_COUNTRY's calendar), as the Schedule modal previews it; undefined when there is none.
 */
export function nextPickAt(config: PickCalendar, now: Date): Date | undefined {
  return nextPickDates(config, now, 1)[0]?.at;
}

/** What the first-run and uninstall services need. */
export interface SetupDeps {
  db: Kysely<Database>;
  settings: LiveSettings;
  logger: Logger;
  now: () => Date;
  /** Asks the outbox worker to deliver soon. */
  kickOutbox: () => void;
}

/**
 * Queues the welcome for the executives' channel, unless the workspace used Pickup before (a pick before today: an
 * install whose executives know Pickup already, where an admin emptied a setting and set it again). The outbox key
 * makes it one welcome per workspace across instances and restarts. False when nothing was queued.
 */
export async function queueWelcome(deps: SetupDeps): Promise<boolean> {
  const { config } = deps.settings;
  const teamId = deps.settings.teamId();
  const log = deps.logger.child({ job: 'welcome' });
  if (!teamId || deps.settings.missingEssentials().length > 0) return false;
  const now = deps.now();
  if (await hasPickBefore(deps.db, dateInZone(now, config.timezone))) {
    log.debug('no welcome: this workspace has used Pickup before');
    return false;
  }
  const message = buildWelcome({
    leadershipChannel: config.leadershipChannel,
    executives: config.executives,
    firstPick: nextPickAt(config, now),
    timezone: config.timezone,
    pickSchedule: config.pickSchedule,
  });
  const queued = await enqueueMessage(deps.db, welcomeKey(teamId), {
    operation: 'post',
    message: { channel: config.execChannel, ...message },
  });
  if (queued) {
    log.info({ channel: config.execChannel }, "queued Pickup's welcome for the executives' channel");
    deps.kickOutbox();
  }
  return queued;
}

/**
 * Follows setup from start-up on: says once (warn) that setup is incomplete and how to finish it, then once (info)
 * when it becomes complete, and queues the welcome then. Call it once Pickup knows its workspace (after auth.test).
 *
 * The welcome closes the first-run guide: it goes out when setup is completed while Pickup runs (an admin in the
 * App Home, or `settings set`), on whichever instances see it, once (the outbox key). A workspace already complete
 * when Pickup starts gets none, on purpose: it was set up outside Slack (the environment, or the CLI before the
 * first start), which is what automation does: scripted deploys, staging copies, restored backups and test runs would
 * otherwise greet the executives' channel from every fresh database, and an operator who chose the environment has
 * chosen to introduce Pickup themselves. Restarts never repeat a welcome either way.
 * Returns how to stop following.
 */
export function watchSetup(deps: SetupDeps): () => void {
  const missing = deps.settings.missingEssentials();
  if (missing.length > 0) deps.logger.warn({ missing }, setupIncompleteMessage(missing));
  return deps.settings.onChange(async ({ before, after }) => {
    const was = missingEssentials(before);
    const now = missingEssentials(after);
    if (was.length > 0 && now.length === 0) {
      deps.logger.info('setup is complete: Pickup now posts the daily pick, the digest and reminders');
      await queueWelcome(deps);
    } else if (was.length === 0 && now.length > 0) {
      deps.logger.warn({ missing: now }, setupIncompleteMessage(now));
    }
  });
}

/** Why Slack says Pickup is gone: the app removed, or its bot token revoked. */
export type UninstallReason = 'app_uninstalled' | 'tokens_revoked';

/**
 * Marks the workspace uninstalled (every instance then posts nothing within seconds), and tells the operator what
 * happened, that the data is kept, and how to erase it. `teamId` is the event's; Pickup's own when absent.
 */
export async function markUninstalled(
  deps: Pick<SetupDeps, 'db' | 'settings' | 'logger'>,
  input: { teamId: string | undefined; reason: UninstallReason; at: Date },
): Promise<void> {
  const own = deps.settings.teamId();
  const teamId = input.teamId ?? own;
  if (!teamId || (own && teamId !== own)) {
    deps.logger.warn({ teamId, own, reason: input.reason }, 'ignored an uninstall event for another workspace');
    return;
  }
  await setUninstalled(deps.db, teamId, input.at, input.reason);
  await refreshUntil(deps.settings, () => deps.settings.uninstalled() !== undefined);
  const what =
    input.reason === 'app_uninstalled'
      ? 'Pickup was removed from the Slack workspace'
      : "Pickup's bot token was revoked";
  deps.logger.warn(
    { teamId, reason: input.reason },
    `${what} (${input.reason}). Pickup now posts nothing to Slack; messages already queued wait in the outbox. ` +
      'All data (complaints, calls, picks, settings) is kept until you decide: to erase it, see ' +
      `${ERASE_GUIDE}. To resume, reinstall Pickup in Slack and restart it with the bot token Slack then gives.`,
  );
}

/**
 * Clears the uninstalled mark once Slack accepts the bot token again for this workspace (auth.test answered for
 * `teamId`): posting resumes and the Slack messages held meanwhile go out. False when there was no mark.
 */
export async function confirmInstalled(deps: SetupDeps, teamId: string): Promise<boolean> {
  const mark = deps.settings.uninstalled();
  if (!mark || deps.settings.teamId() !== teamId) return false;
  await setUninstalled(deps.db, teamId, null, null);
  await refreshUntil(deps.settings, () => deps.settings.uninstalled() === undefined);
  deps.logger.info(
    { teamId, removedAt: mark.at.toISOString(), reason: mark.reason },
    'Slack accepts Pickup again in this workspace: posting resumes, and the messages held meanwhile go out now',
  );
  deps.kickOutbox();
  return true;
}

/**
 * Re-reads the settings until `done`: a re-read already in flight may have started before this change committed,
 * and this instance should act on it at once rather than at the next poll.
 */
async function refreshUntil(settings: Pick<LiveSettings, 'refresh'>, done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 3 && !done(); attempt++) await settings.refresh();
}
