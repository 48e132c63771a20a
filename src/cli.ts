import { parseArgs } from 'node:util';
import { type Config, type ConfigPurpose, ConfigError, loadConfig } from './config';
import { DataDirLockedError, type DatabaseHandle, openDatabase } from './db/connection';
import { migrateToLatest } from './db/migrate';
import { createLogger, type Logger } from './logger';

/** Thrown for a bad command line; the message is shown with a pointer to --help. */
export class UsageError extends Error {}

/** What a command gets: its parsed flags and positionals, and a way to open the database. */
interface CommandContext {
  args: string[];
  config: Config;
  logger: Logger;
  out: (line: string) => void;
  withDatabase<T>(fn: (database: DatabaseHandle) => Promise<T>): Promise<T>;
}

interface Command {
  summary: string;
  usage: string;
  purpose: ConfigPurpose;
  run(ctx: CommandContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
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
};

/** Parses flags strictly, turning node's parse errors into a UsageError. */
export function parseFlags<T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment; see README.md, section "Configuration".',
  ].join('\n');
}

/** Runs the CLI and returns the exit code. Output goes to `out`, problems to `err`. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = (l) => console.log(l),
  err: (line: string) => void = (l) => console.error(l),
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
  let config: Config;
  try {
    config = loadConfig(env, command.purpose);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  // The CLI's own output is for people; logs stay quiet unless asked for.
  const logger = createLogger(env.LOG_LEVEL ?? 'warn');
  const withDatabase = async <T>(fn: (database: DatabaseHandle) => Promise<T>): Promise<T> => {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  };
  try {
    return await command.run({ args, config, logger, out, withDatabase });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\nUsage: npm run cli -- ${command.usage}`);
      return 2;
    }
    if (e instanceof DataDirLockedError) {
      err(e.message);
      return 1;
    }
    err(`${name} failed: ${(e as Error).message}`);
    logger.error({ err: e }, `${name} failed`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
