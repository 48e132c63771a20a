import { parseArgs } from 'node:util';
import { createOutgoing, type Outgoing } from '../calls/outgoing';
import { type Config, type ConfigPurpose, checkConfig, loadConfig } from '../config';
import type { DatabaseHandle } from '../db/connection';
import { migrateToLatest } from '../db/migrate';
import { createHelpDeskClients } from '../helpdesks/clients';
import { createOutcomeWebhook } from '../helpdesks/outgoing/outgoing-webhook';
import type { Logger } from '../logger';
import { createProfileDirectory } from '../people/profiles';
import { createRoles } from '../people/roles';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../scheduler/outbox.worker';
import { findInstalledTeam } from '../settings/settings.repository';
import { effectiveSettings } from '../settings/settings.service';
import { PickupError } from '../shared/errors';
import { createSlackPort, createWebClient } from '../slack/slack.client';
import type { ProgressStream } from './import-progress';

/** Thrown for a bad command line; the message is shown with a pointer to --help. */
export class UsageError extends PickupError<'cli_usage'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('cli_usage', message, options);
  }
}

/** What a command gets: its parsed flags and positionals, and a way to open the database. */
export interface CommandContext {
  args: string[];
  /** The environment `config` was read from: `settings set` validates a change over it, as Slack's modals do. */
  env: NodeJS.ProcessEnv;
  config: Config;
  logger: Logger;
  out: (line: string) => void;
  /** Where a progress line may be drawn (stderr, from the command line); drawn on only when it is a terminal. */
  terminal?: ProgressStream | undefined;
  /** The command's clock: every timestamp it writes, and "today", come from here. */
  now: () => Date;
  withDatabase<T>(fn: (database: DatabaseHandle) => Promise<T>): Promise<T>;
}

/** One CLI command: its help line and what it runs. `purpose` decides which settings it needs. */
export interface Command {
  summary: string;
  usage: string;
  purpose: ConfigPurpose;
  /**
   * Checks the command line before anything is opened, throwing a UsageError: a job opens the database to read its
   * settings first, and a typo should not wait for that (or create a database).
   */
  checkArgs?(args: string[]): void;
  run(ctx: CommandContext): Promise<number>;
}

/** What the CLI reads before anything else: where the database is (saved settings live there) and how loud to log. */
const BOOTSTRAP_VARIABLES = ['DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL'] as const;

/**
 * The configuration a command runs with; throws a ConfigError listing every problem at once. A job (pick, digest)
 * posts to the channels and names the people an admin may have saved in Slack, so for it the database is opened
 * first (`open`, which the command then reuses) and the saved settings are laid over the environment before
 * validating, exactly as the running bot sees them.
 */
export async function loadCommandConfig(
  purpose: ConfigPurpose,
  env: NodeJS.ProcessEnv,
  open: (where: Config) => Promise<DatabaseHandle>,
): Promise<Config> {
  if (purpose !== 'jobs') return loadConfig(env, purpose);
  const boot = checkConfig(Object.fromEntries(BOOTSTRAP_VARIABLES.map((name) => [name, env[name]])), 'database');
  // Without a database to read, the environment alone is judged: every problem in it, these among them.
  if (!boot.ok) return loadConfig(env, purpose);
  const { db } = await open(boot.config);
  await migrateToLatest(db);
  const saved: Record<string, string> = {};
  for (const setting of await effectiveSettings(db, await findInstalledTeam(db), env)) {
    if (setting.source.kind === 'slack' && setting.value !== undefined) saved[setting.name] = setting.value;
  }
  return loadConfig({ ...env, ...saved }, purpose);
}

/** The help desks' API clients for a CLI run: those whose credentials are set, as the bot has them. */
function helpDesksFor(ctx: CommandContext): HelpDeskClients {
  return createHelpDeskClients(ctx.config, ctx.logger);
}

/** Help-desk notes and webhook events for what a CLI job does (a pick), as the bot would queue them. */
export function outgoingFor(ctx: CommandContext): Outgoing {
  const slack = createSlackPort(createWebClient(ctx.config.slack.botToken, ctx.config.slack.apiUrl, ctx.logger));
  return createOutgoing({
    config: ctx.config,
    helpdesks: helpDesksFor(ctx),
    profiles: createProfileDirectory(slack, ctx.logger),
  });
}

/** Delivers what a command queued, when this process may talk to Slack; otherwise the running bot will. */
export async function deliverQueued(ctx: CommandContext, db: DatabaseHandle['db']): Promise<void> {
  if (!ctx.config.slack.botToken) {
    ctx.out('No SLACK_BOT_TOKEN here: the running bot will deliver the queued messages.');
    return;
  }
  const slack = createSlackPort(createWebClient(ctx.config.slack.botToken, ctx.config.slack.apiUrl, ctx.logger));
  const destinations = { slack, helpdesks: helpDesksFor(ctx), webhook: createOutcomeWebhook(ctx.config, ctx.now) };
  const result = await drainOutbox(db, destinations, ctx.logger, {
    ...DEFAULT_OUTBOX_OPTIONS,
    maxAttempts: 3,
    leaseSeconds: ctx.config.outboxLeaseSeconds,
  });
  ctx.out(
    `Outbox: ${result.sent} message(s) delivered` +
      (result.retried ? `, ${result.retried} will be retried by the running bot` : '') +
      (result.failed ? `, ${result.failed} failed (\`npm run cli -- outbox --failed\` says why and what to do)` : '') +
      '.',
  );
}

/** Roles for jobs run from the CLI (user groups are expanded through Slack when a token is set). */
export function rolesFor(ctx: CommandContext) {
  const slack = createSlackPort(createWebClient(ctx.config.slack.botToken, ctx.config.slack.apiUrl, ctx.logger));
  return createRoles(ctx.config, slack, ctx.logger);
}

/** Parses flags strictly, turning node's parse errors into a UsageError. */
export function parseFlags<T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}
