import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { queueActionReminders } from '../actions/action-reminder.service';
import type { Outgoing } from '../calls/outgoing';
import { queueDueReminders } from '../calls/reminder.service';
import type { Config } from '../config';
import { firstStartedAt } from '../db/installation.repository';
import { refreshStatistics } from '../db/maintenance.repository';
import type { Database } from '../db/schema';
import { automaticDigestWeek, describeDigestResult, digestMissed, runDigestJob } from '../digest/digest.service';
import type { Logger } from '../logger';
import type { ZoneOf } from '../people/profiles';
import type { Roles } from '../people/roles';
import { describePickResult, runPickJob } from '../picks/pick.job';
import type { SlackPort } from '../ports/slack.port';
import { runRetentionJob } from '../privacy/retention.service';
import { describeHold, postingHold, type SetupState } from '../settings/setup.service';
import { dateInZone, zonedTimeToUtc } from '../shared/time';
import {
  DEFAULT_OUTBOX_OPTIONS,
  type OutboxDestinations,
  type OutboxOptions,
  startOutboxWorker,
} from './outbox.worker';

/** What the scheduler needs. */
export interface SchedulerDeps {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  slack: SlackPort;
  roles: Roles;
  now: () => Date;
  /** Where the outbox delivers besides Slack (help desks, the outcome webhook); Slack only when absent. */
  destinations?: OutboxDestinations | undefined;
  /** The pick's help-desk note and webhook event, where set up. */
  outgoing?: Outgoing | undefined;
  outboxOptions?: OutboxOptions | undefined;
  outboxPollMs?: number | undefined;
  /** False runs only the outbox worker (tests drive jobs themselves). */
  cronJobs?: boolean | undefined;
  /** Setup and install state: nothing is posted until setup is complete, nor while Pickup is removed from Slack. */
  settings?: SetupState | undefined;
  /** Each person's own time zone, for DMs in their business hours; TIMEZONE for everyone when absent. */
  zoneOf?: ZoneOf | undefined;
}

/** The running background work. */
export interface Scheduler {
  kickOutbox(): void;
  stop(): Promise<void>;
}

/** How often reminders are looked for; each is sent once whatever the cadence. */
const REMINDER_SCHEDULE = '*/5 * * * *';
/** Retention (and fresh planner statistics) run nightly, in TIMEZONE, when nobody is calling. */
const RETENTION_SCHEDULE = '30 3 * * *';

/**
 * True when the pick schedule fired earlier today (in TIMEZONE) and today is no holiday: a bot that was down
 * at pick time then catches up on start-up.
 */
export function missedPickToday(config: Pick<Config, 'pickSchedule' | 'timezone' | 'holidays'>, now: Date): boolean {
  const today = dateInZone(now, config.timezone);
  if (config.holidays.includes(today)) return false;
  const startOfDay = zonedTimeToUtc(today, '00:00', config.timezone);
  const cron = new Cron(config.pickSchedule, { timezone: config.timezone, paused: true });
  // nextRun is strictly after its argument, so step back a millisecond to include midnight itself.
  const first = cron.nextRun(new Date(startOfDay.getTime() - 1));
  return first !== null && first.getTime() <= now.getTime() && dateInZone(first, config.timezone) === today;
}

/**
 * Starts the outbox worker and the cron jobs. Every job is idempotent (the database decides what was done),
 * so any number of instances may run them.
 */
export function startScheduler(deps: SchedulerDeps): Scheduler {
  const { config, logger } = deps;
  const outbox = startOutboxWorker(
    deps.db,
    withSlackHeld(deps),
    logger,
    deps.outboxPollMs ?? 1_000,
    deps.outboxOptions ?? DEFAULT_OUTBOX_OPTIONS,
  );
  const inFlight = new Set<Promise<unknown>>();
  const track = (job: string, work: () => Promise<void>) => {
    const p = work()
      .catch((err: unknown) => logger.error({ err, job }, 'scheduled job failed; it runs again at its next tick'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const pick = (reason: string) => track('pick', () => scheduledPick(deps, outbox.kick, reason));

  const reminders = () =>
    track('reminders', async () => {
      if (postingHeld(deps, 'reminders')) return;
      const report = await queueDueReminders(deps.db, config, deps.now(), deps.zoneOf);
      const actions = await queueActionReminders(deps.db, config, deps.now(), deps.zoneOf);
      const queued = report.unclaimed + report.noAttempt + report.followUp + report.evidence;
      if (queued + actions.reminders + actions.fixChecks > 0) {
        logger.info({ job: 'reminders', ...report, actions }, 'queued reminders');
        outbox.kick();
      }
    });

  const digest = (reason: string) => track('digest', () => scheduledDigest(deps, outbox.kick, reason));

  const retention = () =>
    track('retention', async () => {
      await runRetentionJob(deps);
      await refreshStatistics(deps.db);
    });

  const crons: Cron[] = [];
  if (deps.cronJobs !== false) {
    crons.push(
      new Cron(config.pickSchedule, { timezone: config.timezone, protect: true }, () => pick('schedule')),
      new Cron(REMINDER_SCHEDULE, { timezone: config.timezone, protect: true }, reminders),
      new Cron(RETENTION_SCHEDULE, { timezone: config.timezone, protect: true }, retention),
      new Cron(config.digestSchedule, { timezone: config.timezone, protect: true }, () => digest('schedule')),
    );
    if (missedPickToday(config, deps.now())) pick('catch-up');
    if (digestMissed(config, deps.now())) digest('catch-up');
  }

  return {
    kickOutbox: outbox.kick,
    async stop() {
      for (const c of crons) c.stop();
      await Promise.allSettled([...inFlight]);
      await outbox.stop();
    },
  };
}

/** Today's pick in TIMEZONE, unless today is a holiday; `reason` says whether the schedule or a catch-up asked. */
async function scheduledPick(deps: SchedulerDeps, kickOutbox: () => void, reason: string): Promise<void> {
  if (postingHeld(deps, 'pick')) return;
  const { config, logger } = deps;
  const date = dateInZone(deps.now(), config.timezone);
  if (config.holidays.includes(date)) {
    logger.info({ job: 'pick', date }, 'holiday: no pick today');
    return;
  }
  const result = await runPickJob(deps, { date, trigger: 'schedule', actor: 'scheduler' });
  kickOutbox();
  logger.info({ job: 'pick', date, status: result.status, reason }, describePickResult(result));
}

/** The digest of the last complete week, unless that week ended before Pickup was first started. */
async function scheduledDigest(deps: SchedulerDeps, kickOutbox: () => void, reason: string): Promise<void> {
  if (postingHeld(deps, 'digest')) return;
  const { config, logger } = deps;
  const now = deps.now();
  const installed = await firstStartedAt(deps.db, now);
  const week = automaticDigestWeek(now, config.timezone, installed);
  if (!week) {
    logger.info(
      { job: 'digest', reason, firstStartedAt: installed.toISOString() },
      'no digest: the last complete week ended before Pickup was first started',
    );
    return;
  }
  const result = await runDigestJob(deps, { weekStart: week.start, dryRun: false });
  kickOutbox();
  logger.info(
    { job: 'digest', week: result.model.weekStart, status: result.status, reason },
    describeDigestResult(result),
  );
  if (result.chartError) logger.warn({ job: 'digest', err: result.chartError }, 'digest posted without its chart');
}

/**
 * True when a job must post nothing now: setup is incomplete, or Pickup was removed from the workspace. Logged at
 * debug, once a tick: start-up and the uninstall event already said so at warn.
 */
function postingHeld(deps: SchedulerDeps, job: string): boolean {
  const hold = deps.settings && postingHold(deps.settings);
  if (!hold) return false;
  deps.logger.debug({ job, hold: hold.kind }, `${job} skipped: ${describeHold(hold)}`);
  return true;
}

/** Where the outbox delivers, with Slack held while Pickup is removed from the workspace (the rest still goes). */
function withSlackHeld(deps: SchedulerDeps): OutboxDestinations {
  const to = deps.destinations ?? { slack: deps.slack, helpdesks: {}, webhook: undefined };
  const { settings } = deps;
  return settings ? { ...to, slackHeld: () => settings.uninstalled() !== undefined } : to;
}
