import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { Roles } from '../people/roles';
import type { SlackPort } from '../ports/slack.port';
import { DEFAULT_OUTBOX_OPTIONS, type OutboxOptions, startOutboxWorker } from './outbox.worker';

/** What the scheduler needs. */
export interface SchedulerDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  slack: SlackPort;
  roles: Roles;
  now: () => Date;
  outboxOptions?: OutboxOptions;
  outboxPollMs?: number;
}

/** The running background work. */
export interface Scheduler {
  kickOutbox(): void;
  stop(): Promise<void>;
}

/** Starts the outbox worker and the cron jobs. Every job is idempotent, so several instances may run it. */
export function startScheduler(deps: SchedulerDeps): Scheduler {
  const outbox = startOutboxWorker(
    deps.db,
    deps.slack,
    deps.logger,
    deps.outboxPollMs ?? 1_000,
    deps.outboxOptions ?? DEFAULT_OUTBOX_OPTIONS,
  );
  return {
    kickOutbox: outbox.kick,
    async stop() {
      await outbox.stop();
    },
  };
}
