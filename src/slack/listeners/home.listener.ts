import type { App } from '@slack/bolt';
import { homeRoleOf } from '../../home/home';
import { buildHomeView } from '../../home/home.blocks';
import { buildHomeModel } from '../../home/home.service';
import { isDatabaseUnavailable } from '../../shared/errors';
import type { SlackDeps } from '../deps';

/**
 * Builds one person's App Home for their roles, as things stand, and publishes it. Also called after an admin
 * saves settings, so their Home shows the change (and setup's progress) without reopening the tab.
 */
export async function publishHomeFor(deps: SlackDeps, userId: string): Promise<void> {
  const [isExecutive, isSupportLead, isAdmin] = await Promise.all([
    deps.roles.isExecutive(userId),
    deps.roles.isSupportLead(userId),
    deps.roles.isAdmin(userId),
  ]);
  const model = await buildHomeModel(deps.db, {
    userId,
    role: homeRoleOf(isExecutive, isSupportLead),
    now: deps.now(),
    timezone: deps.config.timezone,
    execChannel: deps.config.execChannel,
    askFor: { executives: deps.roles.describeExecutives(), supportLeads: deps.roles.describeSupportLeads() },
    isAdmin,
    admins: deps.roles.describeAdmins(),
    settings: deps.settings,
  });
  // Through the port rather than Bolt's client: it takes the view untyped and reports a typed delivery error.
  await deps.slack.publishHome(userId, buildHomeView(model));
}

/**
 * The App Home tab: every time someone opens it, it is rebuilt for their role and published. Nobody can be answered
 * about a failure here (there is no response URL and no channel), so failures are logged and the tab keeps its
 * previous view.
 */
export function registerHomeListener(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    // The same event fires for the Messages tab, which Pickup leaves alone.
    if (event.tab !== 'home') return;
    const userId = event.user;
    const logger = deps.logger.child({ userId, event: 'app_home_opened' });
    try {
      await publishHomeFor(deps, userId);
    } catch (err) {
      if (isDatabaseUnavailable(err)) logger.warn({ err }, 'database unavailable; App Home not refreshed');
      else logger.error({ err }, 'could not publish the App Home');
    }
  });
}
