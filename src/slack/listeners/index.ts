import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { registerActionListeners } from './action.listener';
import { registerClaimListeners } from './claim.listener';
import { registerEscalateListeners } from './escalate.listener';
import { registerHomeListener } from './home.listener';
import { registerLifecycleListeners } from './lifecycle.listener';
import { registerPickupCommand } from './pickup.command';
import { registerSettingsListeners } from './settings.listener';
import { registerScheduleSettingsListeners } from './settings-schedule.listener';

/** Registers every listener. Each file handles one Slack surface. */
export function registerListeners(app: App, deps: SlackDeps): void {
  registerPickupCommand(app, deps);
  registerEscalateListeners(app, deps);
  registerClaimListeners(app, deps);
  registerActionListeners(app, deps);
  registerHomeListener(app, deps);
  registerLifecycleListeners(app, deps);
  registerSettingsListeners(app, deps);
  registerScheduleSettingsListeners(app, deps);
}
