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
import type { SettingName } from '../settings/settings';
import type { LiveSettings } from '../settings/settings.service';
import { describeHold, postingHold } from '../settings/setup.service';
import { holidayOn } from '../shared/holidays';
import { addDays, dateInZone, zonedTimeToUtc } from '../shared/time';
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
  /**
   * The live settings: a saved change of PICK_SCHEDULE, DIGEST_SCHEDULE or TIMEZONE re-plans the cron jobs; and
   * nothing is posted until setup is complete, nor while Pickup is removed from the Slack workspace.
   */
  settings?: Pick<LiveSettings, 'onChange' | 'missingEssentials' | 'uninstalled'> | undefined;
  /** Each person's own time zone, for DMs in their business hours; TIMEZONE for everyone when absent. */
  zoneOf?: ZoneOf | undefined;
}

/** The scheduler's cron jobs. */
export type CronJobName = 'pick' | 'digest' | 'reminders' | 'retention';

/** When each cron job runs next; the pick's skips holidays. Empty when the cron jobs are off. */
export type NextRuns = Partial<Record<CronJobName, Date>>;

/** The running background work. */
export interface Scheduler {
  kickOutbox(): void;
  /** When each cron job runs next, as planned now (for tests, and to check a re-plan). */
  nextRuns(): NextRuns;
  stop(): Promise<void>;
}

/** How often reminders are looked for; each is sent once whatever the cadence. */
const REMINDER_SCHEDULE = '*/5 * * * *';
/** Retention (and fresh planner statistics) run nightly, in TIMEZONE, when nobody is calling. */
const RETENTION_SCHEDULE = '30 3 * * *';

/** Each cron job's schedule, and the settings besides TIMEZONE (which every job runs in) that re-plan it. */
const CRON_JOBS: Record<CronJobName, { schedule: (config: Config) => string; settings: readonly SettingName[] }> = {
  pick: { schedule: (config) => config.pickSchedule, settings: ['PICK_SCHEDULE'] },
  digest: { schedule: (config) => config.digestSchedule, settings: ['DIGEST_SCHEDULE'] },
  reminders: { schedule: () => REMINDER_SCHEDULE, settings: [] },
  retention: { schedule: () => RETENTION_SCHEDULE, settings: [] },
};
const CRON_JOB_NAMES = Object.keys(CRON_JOBS) as CronJobName[];

/** The cron jobs a settings change re-plans: all of them for TIMEZONE, else those whose schedule changed. */
export function jobsToReplan(changed: readonly SettingName[]): CronJobName[] {
  if (changed.includes('TIMEZONE')) return CRON_JOB_NAMES;
  return CRON_JOB_NAMES.filter((name) => CRON_JOBS[name].settings.some((setting) => changed.includes(setting)));
}

type ScheduleSettings = Pick<Config, 'pickSchedule' | 'timezone' | 'holidays' | 'holidayCountry'>;

/**
 * True when the pick schedule fired earlier today (in TIMEZONE) and today is no holiday (listed, or public in
 * HOLIDAY_COUNTRY): a bot that was down at pick time then catches up on start-up, or when its schedule changes.
 */
export function missedPickToday(config: ScheduleSettings, now: Date): boolean {
  const today = dateInZone(now, config.timezone);
  if (holidayOn(config, today)) return false;
  const startOfDay = zonedTimeToUtc(today, '00:00', config.timezone);
  const cron = new Cron(config.pickSchedule, { timezone: config.timezone, paused: true });
  // nextRun is strictly after its argument, so step back a millisecond to include midnight itself.
  const first = cron.nextRun(new Date(startOfDay.getTime() - 1));
  return first !== null && first.getTime() <= now.getTime() && dateInZone(first, config.timezone) === today;
}

/** How far ahead the next pick is looked for: past it, a schedule that fires only on holidays has none. */
const NEXT_PICK_HORIZON_DAYS = 400;

/**
 * When a pick schedule next fires on a day that is no holiday, strictly after `after`; undefined when it does not
 * within a year and a bit (a schedule for 25 December with the country's holidays on, say).
 */
export function nextPickRun(cron: Cron, config: ScheduleSettings, after: Date): Date | undefined {
  const horizon = after.getTime() + NEXT_PICK_HORIZON_DAYS * 86_400_000;
  let next = cron.nextRun(after);
  while (next && next.getTime() < horizon) {
    const date = dateInZone(next, config.timezone);
    if (!holidayOn(config, date)) return next;
    // The rest of a holiday is skipped at once: a schedule firing every minute would otherwise take 1,440 steps.
    next = cron.nextRun(new Date(zonedTimeToUtc(addDays(date, 1), '00:00', config.timezone).getTime() - 1));
  }
  return undefined;
}

/**
 * Starts the outbox worker and the cron jobs, and re-plans the jobs when a schedule setting changes. Every job is
 * idempotent (the database decides what was done), so any number of instances may run them, each on its own plan.
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
  const run = jobRunners(deps, outbox.kick, track);
  const crons = deps.cronJobs === false ? undefined : cronPlan(config, run);
  const unsubscribe = crons && deps.settings?.onChange(({ names }) => replan(deps, crons, run, names));
  if (crons) catchUp(deps, run, 'catch-up');

  return {
    kickOutbox: outbox.kick,
    nextRuns: () => crons?.nextRuns(deps.now()) ?? {},
    async stop() {
      unsubscribe?.();
      crons?.stop();
      await Promise.allSettled([...inFlight]);
      await outbox.stop();
    },
  };
}

type JobRunners = { pick(reason: string): void; digest(reason: string): void; reminders(): void; retention(): void };

/** What each cron job does when it fires (`reason` says whether the schedule or a catch-up asked). */
function jobRunners(
  deps: SchedulerDeps,
  kickOutbox: () => void,
  track: (job: string, work: () => Promise<void>) => void,
): JobRunners {
  const { config, logger } = deps;
  return {
    pick: (reason) => track('pick', () => scheduledPick(deps, kickOutbox, reason)),
    digest: (reason) => track('digest', () => scheduledDigest(deps, kickOutbox, reason)),
    reminders: () =>
      track('reminders', async () => {
        if (postingHeld(deps, 'reminders')) return;
        const report = await queueDueReminders(deps.db, config, deps.now(), deps.zoneOf);
        const actions = await queueActionReminders(deps.db, config, deps.now(), deps.zoneOf);
        const queued = report.unclaimed + report.noAttempt + report.followUp + report.evidence;
        if (queued + actions.reminders + actions.fixChecks > 0) {
          logger.info({ job: 'reminders', ...report, actions }, 'queued reminders');
          kickOutbox();
        }
      }),
    retention: () =>
      track('retention', async () => {
        await runRetentionJob(deps);
        await refreshStatistics(deps.db);
      }),
  };
}

/** A pick or digest whose time today (this week) has passed and was missed runs now; the database keeps it once. */
function catchUp(deps: SchedulerDeps, run: JobRunners, reason: string, jobs: readonly CronJobName[] = CRON_JOB_NAMES) {
  if (jobs.includes('pick') && missedPickToday(deps.config, deps.now())) run.pick(reason);
  if (jobs.includes('digest') && digestMissed(deps.config, deps.now())) run.digest(reason);
}

/** The cron jobs, each on its schedule in TIMEZONE as the configuration says when it is (re)started. */
interface CronPlan {
  /** Stops the named jobs and starts them again on the configuration's current schedules. */
  restart(names: readonly CronJobName[]): void;
  nextRuns(now: Date): NextRuns;
  stop(): void;
}

function cronPlan(config: Config, run: JobRunners): CronPlan {
  const fire: Record<CronJobName, () => void> = {
    pick: () => run.pick('schedule'),
    digest: () => run.digest('schedule'),
    reminders: run.reminders,
    retention: run.retention,
  };
  const jobs = new Map<CronJobName, Cron>();
  const restart = (names: readonly CronJobName[]) => {
    for (const name of names) {
      jobs.get(name)?.stop();
      // `protect`: a tick that comes while the last run of the job is still going is skipped, not run twice.
      const options = { timezone: config.timezone, protect: true };
      jobs.set(name, new Cron(CRON_JOBS[name].schedule(config), options, fire[name]));
    }
  };
  restart(CRON_JOB_NAMES);
  return {
    restart,
    nextRuns(now) {
      const runs: NextRuns = {};
      for (const [name, cron] of jobs) {
        const next = name === 'pick' ? nextPickRun(cron, config, now) : cron.nextRun(now);
        if (next) runs[name] = next;
      }
      return runs;
    },
    stop() {
      for (const cron of jobs.values()) cron.stop();
      jobs.clear();
    },
  };
}

/**
 * Re-plans the cron jobs a settings change touches, on this instance (every instance does the same on hearing of
 * it), then catches up a pick or digest whose new time today has passed: as a restart with the new settings would.
 */
function replan(deps: SchedulerDeps, crons: CronPlan, run: JobRunners, changed: readonly SettingName[]): void {
  const jobs = jobsToReplan(changed);
  if (jobs.length === 0) return;
  crons.restart(jobs);
  const { config } = deps;
  const next = crons.nextRuns(deps.now());
  deps.logger.info(
    {
      job: 'scheduler',
      replanned: jobs,
      pickSchedule: config.pickSchedule,
      digestSchedule: config.digestSchedule,
      timezone: config.timezone,
      nextPick: next.pick?.toISOString(),
      nextDigest: next.digest?.toISOString(),
    },
    'schedule changed: cron jobs re-planned without a restart',
  );
  catchUp(deps, run, 'schedule changed', jobs);
}

/** Today's pick in TIMEZONE, unless today is a holiday; `reason` says whether the schedule or a catch-up asked. */
async function scheduledPick(deps: SchedulerDeps, kickOutbox: () => void, reason: string): Promise<void> {
  if (postingHeld(deps, 'pick')) return;
  const { config, logger } = deps;
  const date = dateInZone(deps.now(), config.timezone);
  const holiday = holidayOn(config, date);
  if (holiday) {
    logger.info({ job: 'pick', date, holiday }, 'holiday: no pick today');
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
