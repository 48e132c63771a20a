import type { Kysely } from 'kysely';
import type { Outgoing } from '../calls/outgoing';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { Roles } from '../people/roles';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import type { LiveSettings } from '../settings/settings.service';
import type { DemoClock } from './demo-clock';

/** What every step of the demo works with. */
export interface DemoRun {
  db: Kysely<Database>;
  /** The live configuration: the environment, with what an admin saves over it applied at once. */
  config: Config;
  /** The demo workspace's settings, as the bot keeps them: an admin's change is saved and applied here. */
  settings: LiveSettings;
  roles: Roles;
  /** What leaves Pickup besides Slack: the help-desk notes, through the demo's printing help desk. */
  outgoing: Outgoing;
  /** The help desks' API clients: the demo's printing Zendesk. */
  helpdesks: HelpDeskClients;
  clock: DemoClock;
  /** Silent: the demo's output is what Slack and the help desk would show. */
  logger: Logger;
  out: (line: string) => void;
  /** Delivers what the step queued, printing each Slack call and help-desk note. */
  deliver: () => Promise<unknown>;
  /** Moves the story to `moment` and prints the next step's heading with the story's time. */
  step: (moment: Date, title: string) => void;
}
