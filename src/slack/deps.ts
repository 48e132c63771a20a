import type { Kysely } from 'kysely';
import type { Outgoing } from '../calls/outgoing';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { Roles } from '../people/roles';
import type { SlackPort } from '../ports/slack.port';

/** What every listener may use. Built once in main.ts and passed down. */
export interface SlackDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  roles: Roles;
  slack: SlackPort;
  /** Asks the outbox worker to deliver soon, after a transaction queued messages. */
  kickOutbox: () => void;
  now: () => Date;
  /** Help-desk notes and webhook events, where set up; none when absent. */
  outgoing?: Outgoing | undefined;
}
