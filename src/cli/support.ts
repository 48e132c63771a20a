import { parseArgs } from 'node:util';
import type { Config, ConfigPurpose } from '../config';
import type { DatabaseHandle } from '../db/connection';
import type { Logger } from '../logger';
import { createRoles } from '../people/roles';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../scheduler/outbox.worker';
import { PickupError } from '../shared/errors';
import { createSlackPort, createWebClient } from '../slack/slack.client';

/** Thrown for a bad command line; the message is shown with a pointer to --help. */
export class UsageError extends PickupError<'cli_usage'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('cli_usage', message, options);
  }
}

/** What a command gets: its parsed flags and positionals, and a way to open the database. */
export interface CommandContext {
  args: string[];
  config: Config;
  logger: Logger;
  out: (line: string) => void;
  /** The command's clock: every timestamp it writes, and "today", come from here. */
  now: () => Date;
  withDatabase<T>(fn: (database: DatabaseHandle) => Promise<T>): Promise<T>;
}

/** One CLI command: its help line and what it runs. `purpose` decides which settings it needs. */
export interface Command {
  summary: string;
  usage: string;
  purpose: ConfigPurpose;
  run(ctx: CommandContext): Promise<number>;
}

/** Delivers what a command queued, when this process may talk to Slack; otherwise the running bot will. */
export async function deliverQueued(ctx: CommandContext, db: DatabaseHandle['db']): Promise<void> {
  if (!ctx.config.slack.botToken) {
    ctx.out('No SLACK_BOT_TOKEN here: the running bot will deliver the queued messages.');
    return;
  }
  const slack = createSlackPort(createWebClient(ctx.config.slack.botToken, ctx.config.slack.apiUrl, ctx.logger));
  const result = await drainOutbox(db, slack, ctx.logger, {
    ...DEFAULT_OUTBOX_OPTIONS,
    maxAttempts: 3,
    leaseSeconds: ctx.config.outboxLeaseSeconds,
  });
  ctx.out(
    `Slack: ${result.sent} message(s) delivered` +
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
