import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { runCli } from '../../src/cli';
import { NO_WORKSPACE_YET, settingsCommand } from '../../src/cli/settings.command';
import { type CommandContext, UsageError } from '../../src/cli/support';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/connection';
import { firstStartedAt } from '../../src/db/installation.repository';
import { migrateToLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { SETTING_NAMES } from '../../src/settings/settings';
import { recordInstalledTeam } from '../../src/settings/settings.repository';
import { changeSettings } from '../../src/settings/settings.service';
import { EXEC_1, EXEC_2, LEAD_1, TEST_SIGNING_SECRET, testEnv } from '../helpers/config';
import { TEST_DATABASE_URL } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, resetSettings, type TestDb } from '../helpers/test-db';

const TEAM = 'T1';
const ADMIN = 'UADMIN001';
const OS_USER = os.userInfo().username;

/** Runs `settings` as runCli would, on the test database (left open), with the environment given. */
async function settings(db: TestDb, args: string[], env: NodeJS.ProcessEnv = testEnv()) {
  const lines: string[] = [];
  const ctx: CommandContext = {
    args,
    env,
    config: loadConfig(env, 'database'),
    logger: createLogger('silent'),
    out: (line) => lines.push(line),
    now: () => new Date('2026-12-07T14:02:30Z'),
    withDatabase: (fn) => fn(db),
  };
  const code = await settingsCommand.run(ctx);
  return { code, out: lines.join('\n') };
}

/** The workspace's saved record and audit trail, as the database holds them. */
async function stored(db: TestDb) {
  const record = await db.db
    .selectFrom('workspace_settings')
    .select(['version', 'values'])
    .where('team_id', '=', TEAM)
    .executeTakeFirst();
  const changes = await db.db.selectFrom('settings_changes').selectAll().orderBy('id').execute();
  return { record, changes };
}

describe('npm run cli -- settings', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    await firstStartedAt(db.db, new Date());
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await sql`TRUNCATE settings_changes, workspace_settings`.execute(db.db);
    await sql`UPDATE installation SET team_id = NULL`.execute(db.db);
  });

  const connect = () => recordInstalledTeam(db.db, TEAM);

  it('before Pickup has reached Slack: lists the environment and defaults, and refuses to save', async () => {
    const env = testEnv({ LEADERSHIP_CHANNEL: undefined, SUPPORT_LEADS: undefined });
    const listing = await settings(db, [], env);
    expect(listing.code).toBe(0);
    expect(listing.out).toContain('Pickup has not connected to Slack yet');
    expect(listing.out).toMatch(/^ {2}EXEC_CHANNEL +CEXECS001 +env$/m);
    expect(listing.out).toMatch(/^ {2}PICK_SCHEDULE +0 10 \* \* 1-5 +default$/m);
    expect(listing.out).toMatch(/^ {2}SUPPORT_CHANNEL +\(unset\) +default$/m);
    expect(listing.out).toContain('Missing for setup: LEADERSHIP_CHANNEL, SUPPORT_LEADS.');

    const set = await settings(db, ['set', 'EXECUTIVES', 'U1AAA'], env);
    expect(set).toEqual({ code: 1, out: NO_WORKSPACE_YET });
    expect(set.out).toContain('Start Pickup once with its Slack tokens so it learns its workspace');
    expect((await stored(db)).changes).toEqual([]);
  });

  it('lists every setting with its value and source (slack, env, default), and never a secret', async () => {
    await connect();
    await changeSettings(db.db, {
      teamId: TEAM,
      env: testEnv(),
      change: { LEADERSHIP_CHANNEL: 'CLEADS999', HOLIDAY_COUNTRY: 'FR' },
      actor: { via: 'slack', userId: ADMIN },
      now: new Date('2026-12-07T14:02:59Z'),
    });
    const { code, out } = await settings(db, []);
    expect(code).toBe(0);
    expect(out).toContain(`Settings of Slack workspace ${TEAM}`);
    expect(out).toMatch(
      new RegExp(`^ {2}LEADERSHIP_CHANNEL +CLEADS999 +slack: set by <@${ADMIN}> on 2026-12-07 14:02 UTC$`, 'm'),
    );
    expect(out).toMatch(/^ {2}HOLIDAY_COUNTRY +FR +slack: set by/m);
    expect(out).toMatch(/^ {2}EXECUTIVES +UEXEC0001,UEXEC0002,SEXECS001 +env$/m);
    expect(out).toMatch(/^ {2}ELIGIBLE_DAYS +30 +default$/m);
    expect(out).toContain('Setup is complete');
    for (const name of SETTING_NAMES) expect(out).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    for (const secret of ['SLACK_BOT_TOKEN', 'xoxb-test-token', TEST_SIGNING_SECRET, 'INGEST_TOKEN', 'DATABASE_URL']) {
      expect(out).not.toContain(secret);
    }
  });

  it('sets a setting by its variable name, as made by the CLI, printing old → new; the audit keeps both', async () => {
    await connect();
    const { code, out } = await settings(db, ['set', 'EXECUTIVES', `${EXEC_2},SNEWGROUP`]);
    expect(code).toBe(0);
    expect(out).toContain('Saved (settings version 1):');
    expect(out).toContain(
      `EXECUTIVES: UEXEC0001,UEXEC0002,SEXECS001 (env) → ${EXEC_2},SNEWGROUP (slack: set by the CLI (${OS_USER}) on 2026-12-07 14:02 UTC)`,
    );
    const { record, changes } = await stored(db);
    expect(record).toEqual({ version: 1, values: { EXECUTIVES: `${EXEC_2},SNEWGROUP` } });
    expect(changes).toEqual([
      expect.objectContaining({
        version: 1,
        name: 'EXECUTIVES',
        old_value: null,
        new_value: `${EXEC_2},SNEWGROUP`,
        changed_by: OS_USER,
        via: 'cli',
      }),
    ]);

    // A value with spaces may come as several words (an unquoted cron expression): they are one value.
    const schedule = await settings(db, ['set', 'PICK_SCHEDULE', '30', '8', '* * 1,3,5']);
    expect(schedule.out).toContain('PICK_SCHEDULE: 0 10 * * 1-5 (default) → 30 8 * * 1,3,5 (slack: set by the CLI');
    const again = await settings(db, ['set', 'PICK_SCHEDULE', '30 8 * * 1,3,5']);
    expect(again).toEqual({ code: 0, out: 'PICK_SCHEDULE is already saved as 30 8 * * 1,3,5; nothing changed.' });
    expect((await stored(db)).record?.version).toBe(2);
  });

  it('refuses an invalid value with exit 1, naming the field, and writes nothing', async () => {
    await connect();
    for (const [name, value, message] of [
      ['EXECUTIVES', '#execs', /^Not saved: EXECUTIVES: each entry must be a user ID \(U…\) or user group ID \(S…\)/],
      ['EXEC_CHANNEL', '#execs', /^Not saved: EXEC_CHANNEL: must be a channel ID such as C0123ABCD/],
      ['PICK_SCHEDULE', 'every day', /^Not saved: PICK_SCHEDULE: must be a cron expression/],
      ['HOLIDAY_COUNTRY', 'Atlantis', /^Not saved: HOLIDAY_COUNTRY: must be a country code such as FR/],
      ['ELIGIBLE_DAYS', '0', /^Not saved: ELIGIBLE_DAYS: /],
    ] as const) {
      const res = await settings(db, ['set', name, value]);
      expect(res.code).toBe(1);
      expect(res.out).toMatch(message);
    }
    expect((await stored(db)).changes).toEqual([]);
  });

  it('refuses an unknown name, or a secret, with exit 1 and the list of names', async () => {
    await connect();
    const unknown = await settings(db, ['set', 'EXECUTIVE', EXEC_1]);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain(
      'Unknown setting "EXECUTIVE". Settings you can set: EXEC_CHANNEL, LEADERSHIP_CHANNEL',
    );
    for (const secret of ['SLACK_BOT_TOKEN', 'INGEST_TOKEN', 'DATABASE_URL', 'PICKUP_ADMINS']) {
      const res = await settings(db, ['set', secret, 'xoxb-anything']);
      expect(res.code).toBe(1);
      expect(res.out).toContain(`${secret} stays in the environment only`);
      expect(res.out).toContain('Settings you can set: EXEC_CHANNEL');
    }
    const unset = await settings(db, ['unset', 'SLACK_SIGNING_SECRET']);
    expect(unset.code).toBe(1);
    expect((await stored(db)).changes).toEqual([]);
  });

  it('unsets a saved value, back to the environment or the default', async () => {
    await connect();
    await settings(db, ['set', 'SUPPORT_LEADS', 'ULEAD0002']);
    const res = await settings(db, ['unset', 'SUPPORT_LEADS']);
    expect(res.code).toBe(0);
    expect(res.out).toContain(`SUPPORT_LEADS: ULEAD0002 (slack: set by the CLI (${OS_USER})`);
    expect(res.out).toContain(`→ ${LEAD_1} (env)`);
    expect((await stored(db)).record?.values).toEqual({});
    const nothing = await settings(db, ['unset', 'SUPPORT_LEADS']);
    expect(nothing).toEqual({
      code: 0,
      out: `SUPPORT_LEADS has no saved value; it is ${LEAD_1} (env). Nothing changed.`,
    });
  });

  it('prints the audit trail, newest first, with who changed what and how', async () => {
    expect((await settings(db, ['history'])).out).toBe(
      'No settings have been saved: each comes from the environment or its default.',
    );
    await connect();
    await changeSettings(db.db, {
      teamId: TEAM,
      env: testEnv(),
      change: { TIMEZONE: 'Europe/Paris' },
      actor: { via: 'slack', userId: ADMIN },
      now: new Date('2026-12-06T09:15:00Z'),
    });
    await settings(db, ['set', 'TIMEZONE', 'America/New_York']);
    const all = await settings(db, ['history']);
    expect(all.code).toBe(0);
    expect(all.out.split('\n')).toEqual([
      `2026-12-07 14:02 UTC  v2  TIMEZONE: Europe/Paris → America/New_York  by the CLI (${OS_USER})`,
      `2026-12-06 09:15 UTC  v1  TIMEZONE: (unset) → Europe/Paris  by <@${ADMIN}> in Slack`,
    ]);
    expect((await settings(db, ['history', '--limit', '1'])).out.split('\n')).toHaveLength(1);
  });

  it('refuses a malformed command line with usage errors', async () => {
    for (const args of [
      ['set'],
      ['set', 'EXECUTIVES'],
      ['set', 'EXECUTIVES', '  '],
      ['unset'],
      ['unset', 'EXECUTIVES', 'U1'],
      ['frobnicate'],
      ['history', 'EXECUTIVES'],
      ['history', '--limit', '0'],
      ['history', '--limit', 'ten'],
      ['--limit', '3'],
      ['--verbose'],
    ]) {
      await expect(settings(db, args)).rejects.toThrow(UsageError);
    }
  });
});

// Through runCli, on a database of its own (PostgreSQL, or an embedded one in a temp dir), as an operator runs it.
describe('CLI jobs read the settings saved in Slack', () => {
  let dir: string;
  let slack: FakeSlack;
  let pgDb: TestDb | undefined;
  let base: NodeJS.ProcessEnv;

  async function cli(args: string[], env: NodeJS.ProcessEnv) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      args,
      env,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  /** Opens the database the CLI uses (PGlite in DATA_DIR, or the test database), for `fn`, and closes it. */
  async function withDatabase(fn: (database: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>) {
    const database = await openDatabase({
      url: pgDb?.url,
      dataDir: path.join(dir, 'data'),
      logger: createLogger('silent'),
    });
    try {
      await fn(database);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-cli-settings-'));
    slack = await startFakeSlack();
    pgDb = TEST_DATABASE_URL ? await createTestDb() : undefined;
    // The environment has no channels and no people: an admin saved them in Slack.
    base = {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.url,
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: pgDb?.url,
      LOG_LEVEL: 'silent',
    };
    await withDatabase(async (database) => {
      await migrateToLatest(database.db);
      await firstStartedAt(database.db, new Date());
      await recordInstalledTeam(database.db, TEAM);
      await insertComplaint(database.db);
    });
  }, 60_000);
  // Each test starts from what the admin saved in Slack, and nothing else (another test sets SUPPORT_LEADS).
  beforeEach(async () => {
    await withDatabase(async (database) => {
      await resetSettings(database.db);
      const saved = await changeSettings(database.db, {
        teamId: TEAM,
        env: base,
        change: { EXEC_CHANNEL: 'CSAVED001', LEADERSHIP_CHANNEL: 'CSAVED002', EXECUTIVES: EXEC_1 },
        actor: { via: 'slack', userId: ADMIN },
        now: new Date(),
      });
      expect(saved.ok).toBe(true);
    });
  }, 60_000);
  afterAll(async () => {
    await slack.close();
    await pgDb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists, in one message, what is missing or invalid in the environment and the saved settings together', async () => {
    const res = await cli(['pick'], { ...base, TIMEZONE: 'Mars/Olympus' });
    expect(res.code).toBe(1);
    expect(res.err).toContain('2 settings are missing or invalid');
    expect(res.err).toContain('TIMEZONE: must be an IANA zone');
    expect(res.err).toContain('SUPPORT_LEADS is required');
    // Saved in Slack, so not missing.
    expect(res.err).not.toMatch(/EXEC_CHANNEL|LEADERSHIP_CHANNEL|EXECUTIVES is required/);
    expect(res.err).toContain('npm run cli -- settings set NAME VALUE');
  }, 60_000);

  it('picks with the channel and executives saved in Slack over the environment', async () => {
    const date = new Date().toISOString().slice(0, 10);
    const res = await cli(['pick', '--date', date], { ...base, SUPPORT_LEADS: LEAD_1, EXEC_CHANNEL: 'CENV00001' });
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toMatch(new RegExp(`Picked complaint \\d+ for ${date}`));
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((p) => p.args.channel)).toEqual(['CSAVED001']);
    expect(JSON.stringify(posts[0]?.args)).toContain(EXEC_1);
  }, 60_000);

  it('shows the saved settings to `settings`, and `settings set` changes the next job', async () => {
    const listing = await cli(['settings'], base);
    expect(listing.code).toBe(0);
    expect(listing.out).toMatch(/^ {2}EXEC_CHANNEL +CSAVED001 +slack: set by <@UADMIN001> on /m);
    expect(listing.out).toContain('Missing for setup: SUPPORT_LEADS.');
    const set = await cli(['settings', 'set', 'SUPPORT_LEADS', LEAD_1], base);
    expect(set).toMatchObject({ code: 0, err: '' });
    const again = await cli(['settings'], base);
    expect(again.out).toContain('Setup is complete');
  }, 60_000);
});
