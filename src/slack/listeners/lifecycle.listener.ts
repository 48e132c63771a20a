import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { z } from 'zod';
import { confirmInstalled, markUninstalled, type UninstallReason } from '../../settings/setup.service';
import type { SlackDeps } from '../deps';

/** The Events API envelope: the workspace the event comes from, and the event's type (absent for other requests). */
const envelope = z.object({
  team_id: z.string().optional(),
  event: z.object({ type: z.string().optional() }).optional(),
});

/** `tokens_revoked`: the user ids whose tokens Slack revoked, by kind. Only the bot's matter to Pickup. */
const tokensRevoked = z.object({ tokens: z.object({ bot: z.array(z.string()).optional() }).optional() });

/** Events about the app itself: they never mean Pickup is back. */
const LIFECYCLE_EVENTS = new Set(['app_uninstalled', 'tokens_revoked']);

/** How often, at most, a request from a workspace Pickup was removed from makes it ask Slack whether it is back. */
export const REINSTALL_CHECK_MS = 60_000;

/**
 * `app_uninstalled` and `tokens_revoked` (of the bot token): Pickup stops posting and keeps its data; and, while it
 * is marked removed, any other request from the workspace makes it check (auth.test) whether it is installed again.
 */
export function registerLifecycleListeners(app: App, deps: SlackDeps): void {
  const uninstalled = (reason: UninstallReason, body: unknown) =>
    markUninstalled(deps, { teamId: envelope.safeParse(body).data?.team_id, reason, at: deps.now() });

  app.event('app_uninstalled', async ({ body }) => {
    await uninstalled('app_uninstalled', body);
  });
  app.event('tokens_revoked', async ({ event, body }) => {
    // A user token (none is asked for) leaves the bot's posting untouched.
    const bot = tokensRevoked.safeParse(event).data?.tokens?.bot ?? [];
    if (bot.length === 0) return;
    await uninstalled('tokens_revoked', body);
  });
  app.use(checkReinstalled(deps));
}

/**
 * Global middleware: a request from the workspace while Pickup is marked removed may mean it was installed again
 * with the same token. Slack's word decides (auth.test answers for this workspace), not the request alone: Slack
 * retries events delivered before the removal, and those must not lift the mark. Checked in the background, at most
 * once a minute per instance, so the request is answered at once.
 */
function checkReinstalled(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  let lastCheck = 0;
  return async ({ body, client, next }) => {
    const due = Date.now() - lastCheck >= REINSTALL_CHECK_MS;
    if (deps.settings.uninstalled() && due && !LIFECYCLE_EVENTS.has(envelope.safeParse(body).data?.event?.type ?? '')) {
      lastCheck = Date.now();
      void client.auth
        .test()
        .then(({ team_id: teamId }) => (teamId ? confirmInstalled(deps, teamId) : false))
        .catch((err: unknown) => deps.logger.info({ err }, 'Pickup is still removed from the workspace (auth.test)'));
    }
    await next();
  };
}
