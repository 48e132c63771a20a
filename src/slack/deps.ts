import type { Kysely } from 'kysely';
import type { Outgoing } from '../calls/outgoing';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { Roles } from '../people/roles';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import type { SlackPort } from '../ports/slack.port';
import type { LiveSettings } from '../settings/settings.service';

/** What every listener may use. Built once in main.ts and passed down. */
export interface SlackDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  roles: Roles;
  slack: SlackPort;
  /** The API clients of the help desks whose credentials are set, for the ticket thread in the brief. */
  helpdesks: HelpDeskClients;
  /** Asks the outbox worker to deliver soon, after a transaction queued messages. */
  kickOutbox: () => void;
  now: () => Date;
  /** The workspace's settings, kept current (`config` is their live view); admins save changes through it. */
  settings: LiveSettings;
  /** Help-desk notes and webhook events, where set up; none when absent. */
  outgoing?: Outgoing | undefined;
}
