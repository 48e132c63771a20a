import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutgoing, type Outgoing } from './calls/outgoing';
import { type Config, ConfigError, loadConfig, loadDotEnvFile } from './config';
import { type DatabaseHandle, DataDirLockedError, openDatabase } from './db/connection';
import { firstStartedAt } from './db/installation.repository';
import { refreshStatistics } from './db/maintenance.repository';
import { migrateToLatest } from './db/migrate';
import { createHelpDeskClients } from './helpdesks/clients';
import { createOutcomeWebhook } from './helpdesks/outgoing/outgoing-webhook';
import { feedbackRoutes } from './http/feedback.routes';
import { healthRoutes } from './http/health.routes';
import { createHttpServer } from './http/server';
import { type WebhookDeps, webhookRoutes } from './http/webhook.routes';
import { createLogger, type Logger } from './logger';
import { summarizeFailures } from './outbox/outbox.repository';
import { createProfileDirectory, type ZoneOf, zonesOf } from './people/profiles';
import { createRoles } from './people/roles';
import type { HelpDeskClients } from './ports/helpdesk.port';
import type { SlackPort } from './ports/slack.port';
import { DEFAULT_OUTBOX_OPTIONS, type OutboxDestinations, type OutboxOptions } from './scheduler/outbox.worker';
import { type Scheduler, startScheduler } from './scheduler/scheduler';
import { findInstalledTeam } from './settings/settings.repository';
import { type LiveSettings, startLiveSettings } from './settings/settings.service';
import { confirmInstalled, type SetupDeps, watchSetup } from './settings/setup.service';
import { PickupError } from './shared/errors';
import { systemClock } from './shared/time';
import { createSlackApp, type SlackApp } from './slack/app';
import { type ReconnectPolicy, SlackAuthError, type SlackConnection } from './slack/connection';
import { checkSlackChannels } from './slack/preflight';
import { createSlackPort, createWebClient } from './slack/slack.client';

/** A running Pickup: its HTTP port and how to stop it. */
export interface RunningPickup {
  port: number;
  database: DatabaseHandle;
  /** The Slack connection's state, as /healthz reports it. */
  slack: SlackConnection;
  /** The workspace's settings as this instance applies them (a change saved anywhere reaches it within seconds). */
  settings: LiveSettings;
  /** The background work; its plan follows the schedule settings. */
  scheduler: Pick<Scheduler, 'nextRuns'>;
  stop(): Promise<void>;
}

/** Seams for tests: an already open database, a fixed clock, Bolt without auth.test, faster retries. */
export interface StartOptions {
  database?: DatabaseHandle;
  now?: () => Date;
  botUserId?: string;
  outboxOptions?: OutboxOptions;
  outboxPollMs?: number;
  /** False starts no cron jobs (tests drive the jobs themselves); the outbox worker always runs. */
  cronJobs?: boolean;
  /** Aborting it stops start-up in whatever phase it is in: startPickup then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called when Slack refuses a token after start-up (main.ts exits non-zero). */
  onSlackFatal?: (err: SlackAuthError) => void;
  reconnectPolicy?: ReconnectPolicy;
  /** How long Slack may be unreachable before /healthz answers 503 (SLACK_DOWN_GRACE_MS by default). */
  slackDownGraceMs?: number;
  /** Told as each phase of start-up begins. */
  onPhase?: (phase: StartPhase) => void;
  /** The help desks' API clients, for write-back notes; default those whose credentials are set. */
  helpdesks?: HelpDeskClients;
  /** How often the settings are re-read besides notifications (SETTINGS_POLL_MS by default). */
  settingsPollMs?: number;
}

/** The steps of start-up, logged as each begins so an operator (and the signal tests) can tell where it is. */
export type StartPhase = 'migrating' | 'connecting' | 'running';

/**
 * Wires config → logger → db → services → Slack app + HTTP routes → scheduler, and starts them. The HTTP server
 * listens before Slack is reached, so webhooks and /healthz never wait on Slack; it resolves once Slack is
 * connected (Socket Mode) or the bot token is verified (HTTP mode).
 */
export async function startPickup(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningPickup> {
  const { signal } = options;
  // Where the database is, and the Slack credentials, come from the environment only; every other setting may be
  // saved in Slack and is read through `settings.config` below.
  const boot = loadConfig(env, 'serve');
  const ownsDatabase = options.database === undefined;
  const enter = (phase: StartPhase, fields: Record<string, unknown>, msg: string) => {
    options.onPhase?.(phase);
    logger.info({ phase, ...fields }, msg);
  };
  enter('migrating', {}, 'starting: opening the database and applying migrations');
  const database =
    options.database ??
    (await openDatabase({ url: boot.databaseUrl, dataDir: boot.dataDir, logger, serveLocalClients: true }));
  const parts = stopInReverse(logger);
  if (ownsDatabase) parts.add(() => database.close());
  try {
    signal?.throwIfAborted();
    const now = options.now ?? systemClock;
    const settings = await prepareDatabase(database, { env, logger, now, pollMs: options.settingsPollMs });
    parts.add(() => settings.stop());
    const { config } = settings;
    signal?.throwIfAborted();

    const client = createWebClient(config.slack.botToken, config.slack.apiUrl, logger);
    const slack = createSlackPort(client);
    const roles = createRoles(config, slack, logger);
    const deliveries = outgoingDeliveries(config, logger, slack, now, options.helpdesks);

    const base = { db: database.db, config, logger, slack, roles, now, settings };
    const scheduler = startScheduler({ ...base, ...deliveries, ...schedulerOptions(options, config) });
    parts.add(() => scheduler.stop());
    const slackApp = createSlackApp(
      {
        ...base,
        helpdesks: deliveries.destinations.helpdesks,
        kickOutbox: scheduler.kickOutbox,
        outgoing: deliveries.outgoing,
      },
      slackAppOptions(options),
    );
    parts.add(() => slackApp.stop());

    const port = await serveHttp(
      { db: database.db, config, logger, kickOutbox: scheduler.kickOutbox, now, outgoing: deliveries.outgoing },
      { ping: database.ping, databaseAlive: database.alive, slackApp },
      parts,
    );
    const mode = config.slack.appToken ? 'socket' : 'http';
    enter('connecting', { port, mode }, 'HTTP server listening; connecting to Slack');

    await slackApp.start(signal);
    const team = await learnWorkspace(client, settings, logger);
    parts.add(await followSetup({ db: database.db, settings, logger, now, kickOutbox: scheduler.kickOutbox }, team));
    await checkSlackChannels(client, config, logger);
    signal?.throwIfAborted();
    enter('running', { port, engine: database.engine, mode }, 'Pickup is running');
    return { port, database, slack: slackApp.connection, settings, scheduler, stop: parts.stop };
  } catch (err) {
    await parts.stop();
    throw err;
  }
}

/**
 * Brings the database up to date and loads the workspace's settings over the environment, kept current from then on.
 * A migration is one transaction and is left to finish: stopping the embedded database mid-way could damage it.
 */
async function prepareDatabase(
  database: DatabaseHandle,
  options: { env: NodeJS.ProcessEnv; logger: Logger; now: () => Date; pollMs: number | undefined },
): Promise<LiveSettings> {
  const { logger } = options;
  const applied = await migrateToLatest(database.db, logger);
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  if (database.engine === 'pglite') await refreshStatistics(database.db);
  // Recorded once, on the first start; the automatic digest never reports on a week that ended before it.
  await firstStartedAt(database.db, options.now());
  return startLiveSettings({
    db: database.db,
    env: options.env,
    purpose: 'serve',
    logger,
    teamId: await findInstalledTeam(database.db),
    listen: database.listen,
    pollMs: options.pollMs,
  });
}

/**
 * Records which workspace this install serves (auth.test's team), so its settings load, and load at once on the
 * next start. Slack was just reached, so a failure here is rare; the environment's settings then apply meanwhile.
 * Resolves with the team Slack confirmed the bot token for, or undefined when it could not be asked.
 */
async function learnWorkspace(
  client: ReturnType<typeof createWebClient>,
  settings: LiveSettings,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const { team_id: teamId } = await client.auth.test();
    if (teamId) await settings.adoptTeam(teamId);
    return teamId;
  } catch (err) {
    logger.warn({ err }, 'could not tell which workspace Pickup serves; settings saved in Slack apply after a restart');
    return undefined;
  }
}

/**
 * First run and reinstall, once Slack is reached: a removal mark that auth.test has just contradicted (Slack accepts
 * the token for this workspace, so Pickup was installed again) is lifted; then setup is followed (watchSetup: the
 * one start-up warning while incomplete, the welcome when it is completed). Resolves with how to stop following.
 */
async function followSetup(deps: SetupDeps, verifiedTeam: string | undefined): Promise<() => Promise<void>> {
  if (verifiedTeam) await confirmInstalled(deps, verifiedTeam);
  const stop = watchSetup(deps);
  return async () => stop();
}

/**
 * Starts the one HTTP server on PORT (health, webhooks and, in HTTP mode, Slack's endpoint) and adds its stop to
 * `parts`; resolves with the port it listens on.
 */
async function serveHttp(
  deps: WebhookDeps,
  health: {
    ping: () => Promise<void>;
    databaseAlive: (() => boolean) | undefined;
    slackApp: Pick<SlackApp, 'connection' | 'endpoint'>;
  },
  parts: Pick<ReturnType<typeof stopInReverse>, 'add'>,
): Promise<number> {
  const server = createHttpServer({
    routes: [
      ...healthRoutes({
        ping: health.ping,
        databaseAlive: health.databaseAlive,
        outbox: () => summarizeFailures(deps.db),
        slack: health.slackApp.connection,
        logger: deps.logger,
      }),
      ...webhookRoutes(deps),
      ...feedbackRoutes(deps),
    ],
    slack: health.slackApp.endpoint,
    logger: deps.logger,
  });
  const port = await listen(server, deps.config.port);
  parts.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  );
  return port;
}

/**
 * What leaves Pickup besides Slack: the clients of the help desks whose credentials are set (unless a test hands its
 * own), the outcome webhook when OUTCOME_WEBHOOK_URL is set, and the services' view of both (`outgoing`); with each
 * person's time zone for reminders, from the same cached profiles as the names in help-desk notes.
 */
function outgoingDeliveries(
  config: Config,
  logger: Logger,
  slack: SlackPort,
  now: () => Date,
  helpdesks: HelpDeskClients = createHelpDeskClients(config, logger),
): { outgoing: Outgoing; destinations: OutboxDestinations; zoneOf: ZoneOf } {
  const profiles = createProfileDirectory(slack, logger);
  return {
    outgoing: createOutgoing({ config, helpdesks, profiles }),
    destinations: { slack, helpdesks, webhook: createOutcomeWebhook(config, now) },
    zoneOf: zonesOf(profiles),
  };
}

/** The outbox's pace and whether cron jobs run, from start-up's options (the test seams) or the defaults. */
function schedulerOptions(options: StartOptions, config: Config) {
  return {
    outboxOptions: options.outboxOptions ?? { ...DEFAULT_OUTBOX_OPTIONS, leaseSeconds: config.outboxLeaseSeconds },
    outboxPollMs: options.outboxPollMs,
    cronJobs: options.cronJobs,
  };
}

/** How the Slack app connects, from start-up's options (the test seams among them). */
function slackAppOptions(options: StartOptions) {
  return {
    ...(options.botUserId ? { botUserId: options.botUserId, botId: 'BPICKUP' } : {}),
    reconnectPolicy: options.reconnectPolicy,
    downGraceMs: options.slackDownGraceMs,
    onFatal: options.onSlackFatal,
  };
}

/** Logs a start-up or Slack failure the operator must fix as one clear line (and on stderr, for `npm start`). */
function reportFatal(logger: Logger, err: unknown): void {
  if (err instanceof DataDirLockedError || err instanceof SlackAuthError) {
    logger.fatal(err.message);
    process.stderr.write(`${err.message}\n`);
  } else {
    logger.fatal({ err }, 'Pickup could not start');
  }
}

/** Stops the parts added so far, newest first, once however often it is called, and logs the clean shutdown. */
function stopInReverse(logger: Logger) {
  const parts: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  return {
    add: (part: () => Promise<void>) => {
      parts.push(part);
    },
    stop: () => {
      stopping ??= (async () => {
        logger.info('shutting down: no new requests, finishing work in flight');
        for (const part of parts.reverse()) await part();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Turns signals and fatal Slack errors into one clean stop and one exit code, whichever phase start-up is in:
 * before Pickup runs, by aborting start-up (which stops what it started); after, by stopping it.
 */
function processLifecycle(logger: Logger) {
  const shutdown = new AbortController();
  let phase: StartPhase = 'migrating';
  let running: RunningPickup | undefined;
  let exitCode: number | undefined;
  const stopAndExit = (pickup: RunningPickup, code: number) =>
    pickup.stop().then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  const requestExit = (code: number, reason: Error) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    if (running) void stopAndExit(running, code);
    else shutdown.abort(reason);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      // A second signal must not cut a clean shutdown short (the embedded database may be mid-write); SIGKILL can.
      if (exitCode !== undefined) return logger.info({ signal, phase }, 'already shutting down');
      logger.info({ signal, phase }, 'shutdown requested');
      requestExit(0, new ShutdownRequested(signal));
    });
  }
  return {
    signal: shutdown.signal,
    onPhase: (p: StartPhase) => {
      phase = p;
    },
    requestExit,
    /** Start-up finished; a stop asked for just as it did is carried out now. */
    started: (pickup: RunningPickup) => {
      running = pickup;
      if (exitCode !== undefined) void stopAndExit(pickup, exitCode);
    },
    /** Start-up failed: exit 0 when it was stopped on request, else report why and exit 1. */
    failed: (err: unknown): never => {
      if (shutdown.signal.aborted) process.exit(exitCode ?? 0);
      reportFatal(logger, err);
      process.exit(1);
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnvFile();
    config = loadConfig(process.env, 'serve');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // A stray rejection is a bug, but not a reason to drop every request in flight: log it with an id to find it by.
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason, correlationId: randomUUID() }, 'unhandled promise rejection'),
  );
  process.on('uncaughtException', (err) => {
    logger.fatal(
      { err, correlationId: randomUUID() },
      'uncaught exception; exiting so the supervisor restarts a clean process',
    );
    process.exit(1);
  });

  // Installed before start-up, so a signal stops Pickup cleanly in every phase: an abort ends the wait on Slack or
  // its backoff, a migration in progress finishes, and whatever already started stops.
  const lifecycle = processLifecycle(logger);
  try {
    const running = await startPickup(process.env, logger, {
      signal: lifecycle.signal,
      onPhase: lifecycle.onPhase,
      onSlackFatal: (err) => {
        reportFatal(logger, err);
        lifecycle.requestExit(1, err);
      },
    });
    lifecycle.started(running);
  } catch (err) {
    lifecycle.failed(err);
  }
}

/** Why start-up was abandoned: the operator asked Pickup to stop. */
class ShutdownRequested extends PickupError<'shutdown_requested'> {
  constructor(signal: string) {
    super('shutdown_requested', `${signal} received during start-up`);
  }
}

if (require.main === module) void main();
