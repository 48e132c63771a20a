import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ON_POSTGRES } from '../../helpers/env';
import { createTestDb } from '../../helpers/test-db';
import { startBot } from './bot-process';

/** A database for one bot process: the environment that points the bot at it, and its clean-up. */
export interface BotDatabase {
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Hands out a database per bot: a fresh PostgreSQL database on TEST_DATABASE_URL, or an embedded one. */
export interface BotDatabases {
  /** A migrated database; with `empty`, an embedded database not yet created (PostgreSQL's are always migrated). */
  next(options?: { empty?: boolean }): Promise<BotDatabase>;
  close(): Promise<void>;
}

/**
 * Databases for bot processes on either engine. Creating an embedded database takes seconds (far more on a busy
 * machine), so one is created by a bot once and copied for each later bot.
 */
export async function prepareBotDatabases(slackApiUrl: string): Promise<BotDatabases> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-bot-db-'));
  const template = path.join(scratch, 'template');
  let count = 0;
  if (!ON_POSTGRES) {
    const bot = await startBot({
      label: 'embedded-template',
      env: { DATA_DIR: template, SLACK_API_URL: slackApiUrl },
      startTimeoutMs: 180_000,
    });
    await bot.stop();
  }
  return {
    async next(options = {}): Promise<BotDatabase> {
      if (ON_POSTGRES) {
        const db = await createTestDb({ poolSize: 1 });
        const env: Record<string, string> = { DATABASE_URL: db.url ?? '' };
        return { env, close: () => db.close() };
      }
      const dir = path.join(scratch, `data-${++count}`);
      if (!options.empty) fs.cpSync(template, dir, { recursive: true });
      const env: Record<string, string> = { DATA_DIR: dir };
      return { env, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
    close: async () => fs.rmSync(scratch, { recursive: true, force: true }),
  };
}
