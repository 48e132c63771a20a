import type { LiveSettings } from '../settings/settings.service';
import { assertSetUp } from '../settings/setup.service';

/** What {@link requireSetup} reads of a command's, action's or shortcut's arguments. */
interface SetupArgs {
  ack: () => Promise<void>;
  next: () => Promise<void>;
}

/**
 * Listener middleware: until the essential settings are set, a pick, claim or escalation is acked and answered
 * with a short ephemeral "Pickup is not set up yet: … an admin can finish setup in Pickup's App Home" (a
 * DomainError the error handler delivers), instead of a refusal that names an empty list of executives.
 */
export function requireSetup(settings: Pick<LiveSettings, 'missingEssentials'>): (args: SetupArgs) => Promise<void> {
  return async ({ ack, next }) => {
    try {
      assertSetUp(settings);
    } catch (err) {
      await ack();
      throw err;
    }
    await next();
  };
}
