import type { App } from '@slack/bolt';
import { homeRoleOf } from '../../home/home';
import { buildHomeView } from '../../home/home.blocks';
import { buildHomeModel } from '../../home/home.service';
import { isDatabaseUnavailable } from '../../shared/errors';
import type { SlackDeps } from '../deps';

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
      const [isExecutive, isSupportLead] = await Promise.all([
        deps.roles.isExecutive(userId),
        deps.roles.isSupportLead(userId),
      ]);
      const model = await buildHomeModel(deps.db, {
        userId,
        role: homeRoleOf(isExecutive, isSupportLead),
        now: deps.now(),
        timezone: deps.config.timezone,
        execChannel: deps.config.execChannel,
        askFor: { executives: deps.roles.describeExecutives(), supportLeads: deps.roles.describeSupportLeads() },
      });
      // Through the port rather than Bolt's client: it takes the view untyped and reports a typed delivery error.
      await deps.slack.publishHome(userId, buildHomeView(model));
    } catch (err) {
      if (isDatabaseUnavailable(err)) logger.warn({ err }, 'database unavailable; App Home not refreshed');
      else logger.error({ err }, 'could not publish the App Home');
    }
  });
}
