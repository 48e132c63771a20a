import pino from 'pino';
import { demoCommand } from './cli/demo.command';
import { digestCommand } from './cli/digest.command';
import { exportCommand } from './cli/export.command';
import { forgetCommand } from './cli/forget.command';
import { importCommand } from './cli/import.command';
import type { ProgressStream } from './cli/import-progress';
import { outboxCommand } from './cli/outbox.command';
import { settingsCommand } from './cli/settings.command';
import {
  type Command,
  deliverQueued,
  loadCommandConfig,
  outgoingFor,
  parseFlags,
  rolesFor,
  UsageError,
} from './cli/support';
import { verifyCommand } from './cli/verify.command';
import { type Config, ConfigError, loadDotEnvFile, nameOfProblem } from './config';
import {
  type DatabaseHandle,
  DataDirLockedError,
  EmbeddedServerUnreachableError,
  openDatabase,
  openViaRunningBot,
} from './db/connection';
import { migrateToLatest } from './db/migrate';
import { createLogger, type Logger } from './logger';
import { describePickResult, runPickJob } from './picks/pick.job';
import { isSettingName } from './settings/settings';
import { dateInZone, isRealDate, systemClock } from './shared/time';

const COMMANDS: Record<string, Command> = {
  demo: demoCommand,
  digest: digestCommand,
  export: exportCommand,
  forget: forgetCommand,
  import: importCommand,
  verify: verifyCommand,
  outbox: outboxCommand,
  settings: settingsCommand,
  migrate: {
    summary: 'apply pending database migrations',
    usage: 'migrate',
    purpose: 'database',
    async run(ctx) {
      parseFlags(ctx.args, {});
      return ctx.withDatabase(async ({ db, engine }) => {
        const applied = await migrateToLatest(db);
        ctx.out(applied.length ? `Applied on ${engine}: ${applied.join(', ')}` : `Already up to date (${engine}).`);
        return 0;
      });
    },
  },
  pick: {
    summary: "run the day's pick (idempotent; --date honoured even on a weekend or holiday)",
    usage: 'pick [--date YYYY-MM-DD]',
    purpose: 'jobs',
    checkArgs: parsePickFlags,
    async run(ctx) {
      const date = parsePickFlags(ctx.args).date ?? dateInZone(ctx.now(), ctx.config.timezone);
      return ctx.withDatabase(async ({ db }) => {
        await migrateToLatest(db);
        const result = await runPickJob(
          { db, config: ctx.config, roles: rolesFor(ctx), now: ctx.now, outgoing: outgoingFor(ctx) },
          { date, trigger: 'cli', actor: 'cli' },
        );
        ctx.out(describePickResult(result));
        if (result.status !== 'already_picked' || result.redelivery?.state === 'requeued') await deliverQueued(ctx, db);
        return 0;
      });
    },
  },
};

/** `pick`'s flags: the date asked for, if any, checked to be a real one. */
function parsePickFlags(args: string[]): { date: string | undefined } {
  const { date } = parseFlags(args, { date: { type: 'string' } }).values;
  if (date !== undefined && !isRealDate(date)) {
    throw new UsageError(`--date must be a real date as YYYY-MM-DD, not "${date}"`);
  }
  return { date };
}

function helpText(): string {
  const commands = Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b));
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...commands.map(([, c]) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Configuration comes from the environment, and settings an admin saved in Slack win over it (`settings` lists',
    'each with its source); see README.md, section "Configuration".',
  ].join('\n');
}

/** Printed after a configuration error about a setting: it need not be in the environment. */
const SAVED_SETTINGS_HINT =
  "Channels, people, schedules and rules may instead be set in Slack (Pickup's App Home → Settings) or with " +
  '`npm run cli -- settings set NAME VALUE`; `npm run cli -- settings` shows where each one comes from.';

/**
 * Runs the CLI and returns the exit code. Output goes to `out`, problems to `err`; a long command draws its progress
 * on `terminal` when that is one (the command line passes stderr).
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = (l) => console.log(l),
  err: (line: string) => void = (l) => console.error(l),
  terminal?: ProgressStream,
): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    out(helpText());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`Unknown command "${name}".\n\n${helpText()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(`Usage: npm run cli -- ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  // The CLI's own output is for people; logs stay quiet unless asked for.
  // Logs go to stderr so that stdout (an export, say) can be piped.
  let logger: Logger | undefined;
  const loggerFor = (config: Config) =>
    (logger ??= createLogger(env.LOG_LEVEL ? config.logLevel : 'warn', pino.destination({ fd: 2, sync: true })));
  // Opened once, at the first need (a job reads the saved settings before it runs), and closed when the command ends.
  let opening: Promise<DatabaseHandle> | undefined;
  const open = (config: Config) => {
    const log = loggerFor(config);
    opening ??= openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger: log }).catch((e: unknown) => {
      // A bot running on the embedded database holds it: go through the socket that bot serves instead.
      if (e instanceof DataDirLockedError) return openViaRunningBot(e, log);
      throw e;
    });
    return opening;
  };
  try {
    command.checkArgs?.(args);
    const config = await loadCommandConfig(command.purpose, env, open);
    const withDatabase = async <T>(fn: (database: DatabaseHandle) => Promise<T>): Promise<T> => fn(await open(config));
    return await command.run({
      args,
      env,
      config,
      logger: loggerFor(config),
      out,
      terminal,
      now: systemClock,
      withDatabase,
    });
  } catch (e) {
    return reportFailure(e, { name, usage: command.usage, err, logger });
  } finally {
    await closeOpened(opening);
  }
}

/** Closes the database a command opened, if it opened one. */
async function closeOpened(opening: Promise<DatabaseHandle> | undefined): Promise<void> {
  // A failed open has nothing to close, and its error already reached the operator through the command.
  const database = await opening?.catch(() => undefined);
  await database?.close();
}

/** Tells the operator why a command failed, and returns its exit code: 2 for a bad command line, otherwise 1. */
function reportFailure(
  e: unknown,
  command: { name: string; usage: string; err: (line: string) => void; logger: Logger | undefined },
): number {
  const { err } = command;
  if (e instanceof ConfigError) {
    err(e.message);
    if (e.problems.some((p) => isSettingName(nameOfProblem(p).name))) err(SAVED_SETTINGS_HINT);
    return 1;
  }
  if (e instanceof UsageError) {
    err(`${e.message}\nUsage: npm run cli -- ${command.usage}`);
    return 2;
  }
  if (e instanceof DataDirLockedError || e instanceof EmbeddedServerUnreachableError) {
    err(e.message);
    return 1;
  }
  err(`${command.name} failed: ${(e as Error).message}`);
  command.logger?.error({ err: e }, `${command.name} failed`);
  return 1;
}

if (require.main === module) {
  loadDotEnvFile();
  runCli(process.argv.slice(2), process.env, undefined, undefined, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
