import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError, loadConfig, loadDotEnvFile } from './config';
import { type DatabaseHandle, DataDirLockedError, openDatabase } from './db/connection';
import { firstStartedAt } from './db/installation';
import { refreshStatistics } from './db/maintenance';
import { migrateToLatest } from './db/migrate';
import { feedbackRoutes } from './http/feedback.routes';
import { healthRoutes } from './http/health.routes';
import { createHttpServer } from './http/server';
import { webhookRoutes } from './http/webhook.routes';
import { createLogger, type Logger } from './logger';
import { summarizeFailures } from './outbox/outbox.repository';
import { createRoles } from './people/roles';
import { DEFAULT_OUTBOX_OPTIONS, type OutboxOptions } from './scheduler/outbox.worker';
import { startScheduler } from './scheduler/scheduler';
import { createSlackApp } from './slack/app';
import { checkSlackChannels } from './slack/preflight';
import { createSlackPort, createWebClient } from './slack/slack.client';

/** A running Pickup: its HTTP port and how to stop it. */
export interface RunningPickup {
  port: number;
  database: DatabaseHandle;
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
}

/** Wires config → logger → db → services → Slack app + HTTP routes → scheduler, and starts them. */
export async function startPickup(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningPickup> {
  const ownsDatabase = options.database === undefined;
  const database =
    options.database ??
    (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, serveLocalClients: true }));
  try {
    const applied = await migrateToLatest(database.db, logger);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
    if (database.engine === 'pglite') await refreshStatistics(database.db);
    const now = options.now ?? (() => new Date());
    // Recorded once, on the first start; the automatic digest never reports on a week that ended before it.
    await firstStartedAt(database.db, now());

    const client = createWebClient(config.slack.botToken, config.slack.apiUrl, logger);
    const slack = createSlackPort(client);
    const roles = createRoles(config, slack, logger);

    const scheduler = startScheduler({
      db: database.db,
      config,
      logger,
      slack,
      roles,
      now,
      outboxOptions: options.outboxOptions ?? { ...DEFAULT_OUTBOX_OPTIONS, leaseSeconds: config.outboxLeaseSeconds },
      outboxPollMs: options.outboxPollMs,
      cronJobs: options.cronJobs,
    });
    const slackApp = createSlackApp(
      {
        db: database.db,
        config,
        logger,
        roles,
        slack,
        kickOutbox: scheduler.kickOutbox,
        now,
      },
      options.botUserId ? { botUserId: options.botUserId, botId: 'BPICKUP' } : {},
    );
    await slackApp.start();

    const server = createHttpServer({
      routes: [
        ...healthRoutes(database.ping, () => summarizeFailures(database.db)),
        ...webhookRoutes({ db: database.db, config, logger, kickOutbox: scheduler.kickOutbox, now }),
        ...feedbackRoutes({ db: database.db, config, logger, kickOutbox: scheduler.kickOutbox, now }),
      ],
      slack: slackApp.endpoint,
      logger,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    await checkSlackChannels(client, config, logger);
    logger.info(
      { port, engine: database.engine, mode: config.slack.appToken ? 'socket' : 'http' },
      'Pickup is running',
    );

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        logger.info('shutting down: no new requests, finishing work in flight');
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await slackApp.stop();
        await scheduler.stop();
        if (ownsDatabase) await database.close();
        logger.info('stopped');
      })();
      return stopping;
    };
    return { port, database, stop };
  } catch (err) {
    if (ownsDatabase) await database.close();
    throw err;
  }
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

  const starting = startPickup(config, logger);
  // Installed before start-up finishes, so a SIGTERM during start still shuts down cleanly once started.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      starting
        .then((running) => running.stop())
        .then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'error while shutting down');
            process.exit(1);
          },
        );
    });
  }
  try {
    await starting;
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      logger.fatal(err.message);
      process.stderr.write(`${err.message}\n`);
    } else {
      logger.fatal({ err }, 'Pickup could not start');
    }
    process.exit(1);
  }
}

if (require.main === module) void main();
