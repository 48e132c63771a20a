import { sql } from 'kysely';
import { createLogger } from '../../src/logger';
import { findInstalledTeam, recordInstalledTeam } from '../../src/settings/settings.repository';
import {
  changeSettings,
  effectiveSettings,
  type LiveSettings,
  type SettingsChanged,
  startLiveSettings,
} from '../../src/settings/settings.service';
import { EXEC_1, EXEC_2, LEAD_1, testEnv } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const TEAM = 'T1';
const ADMIN = 'UADMIN001';
const AT = new Date('2026-12-07T14:02:00Z');
const logger = createLogger('silent');

describe('settings.service', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await sql`TRUNCATE settings_changes, workspace_settings`.execute(db.db);
  });

  const save = (change: Parameters<typeof changeSettings>[1]['change'], now = AT, env = testEnv()) =>
    changeSettings(db.db, { teamId: TEAM, env, change, actor: { via: 'slack', userId: ADMIN }, now });

  const record = () =>
    db.db.selectFrom('workspace_settings').select(['version', 'values']).where('team_id', '=', TEAM).executeTakeFirst();
  const audit = () =>
    db.db
      .selectFrom('settings_changes')
      .select(['version', 'name', 'old_value', 'new_value', 'changed_by', 'via', 'changed_at'])
      .orderBy('id')
      .execute();

  describe('changeSettings', () => {
    it('saves a change and audits each setting: old and new value, who, how and when, under one version', async () => {
      expect(await save({ EXECUTIVES: `${EXEC_1},SEXECS002`, TIMEZONE: ' Europe/Paris ' })).toEqual({
        ok: true,
        version: 1,
        changed: ['EXECUTIVES', 'TIMEZONE'],
      });
      expect(await record()).toEqual({
        version: 1,
        values: { EXECUTIVES: `${EXEC_1},SEXECS002`, TIMEZONE: 'Europe/Paris' },
      });
      const later = new Date('2026-12-08T09:00:00Z');
      const result = await changeSettings(db.db, {
        teamId: TEAM,
        env: testEnv(),
        change: { EXECUTIVES: EXEC_2 },
        actor: { via: 'cli', name: 'ops' },
        now: later,
      });
      expect(result).toEqual({ ok: true, version: 2, changed: ['EXECUTIVES'] });
      expect(await audit()).toEqual([
        {
          version: 1,
          name: 'EXECUTIVES',
          old_value: null,
          new_value: `${EXEC_1},SEXECS002`,
          changed_by: ADMIN,
          via: 'slack',
          changed_at: AT,
        },
        {
          version: 1,
          name: 'TIMEZONE',
          old_value: null,
          new_value: 'Europe/Paris',
          changed_by: ADMIN,
          via: 'slack',
          changed_at: AT,
        },
        {
          version: 2,
          name: 'EXECUTIVES',
          old_value: `${EXEC_1},SEXECS002`,
          new_value: EXEC_2,
          changed_by: 'ops',
          via: 'cli',
          changed_at: later,
        },
      ]);
    });

    it('validates as config.ts does, names each bad field, and writes nothing when any value is invalid', async () => {
      const result = await save({
        EXECUTIVES: EXEC_2,
        EXEC_CHANNEL: '#execs',
        PICK_SCHEDULE: 'every day',
        HOLIDAYS: '2026-02-30',
      });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems.map((p) => p.name).sort()).toEqual(['EXEC_CHANNEL', 'HOLIDAYS', 'PICK_SCHEDULE']);
      expect(result.problems.find((p) => p.name === 'EXEC_CHANNEL')?.message).toMatch(
        /^must be a channel ID such as C0123ABCD/,
      );
      // At most the empty record a first save creates: no value saved, no version, nothing audited.
      expect((await record()) ?? { version: 0, values: {} }).toEqual({ version: 0, values: {} });
      expect(await audit()).toEqual([]);
    });

    it('refuses a name that is not a setting, secrets among them, listing the settings', async () => {
      const result = await save({ SLACK_BOT_TOKEN: 'xoxb-new', EXECUTIVES: EXEC_1 } as never);
      expect(result).toEqual({
        ok: false,
        problems: [
          { name: 'SLACK_BOT_TOKEN', message: expect.stringContaining('is not a setting that can be changed here') },
        ],
      });
      expect(await audit()).toEqual([]);
    });

    it('drops a saved value with null (or blank), back to the environment, and audits it', async () => {
      await save({ SUPPORT_LEADS: 'ULEAD0099', HOLIDAY_COUNTRY: 'fr' });
      expect(await save({ SUPPORT_LEADS: null, HOLIDAY_COUNTRY: '  ' })).toEqual({
        ok: true,
        version: 2,
        changed: ['SUPPORT_LEADS', 'HOLIDAY_COUNTRY'],
      });
      expect(await record()).toEqual({ version: 2, values: {} });
      const dropped = (await audit()).filter((c) => c.version === 2);
      expect(dropped.map((c) => [c.name, c.old_value, c.new_value])).toEqual([
        ['SUPPORT_LEADS', 'ULEAD0099', null],
        ['HOLIDAY_COUNTRY', 'fr', null],
      ]);
    });

    it('writes no new version when nothing changes', async () => {
      await save({ FOLLOWUP_DAYS: '21' });
      expect(await save({ FOLLOWUP_DAYS: '21', MAJOR_TAGS: null })).toEqual({ ok: true, version: 1, changed: [] });
      expect(await audit()).toHaveLength(1);
    });

    it('judges a change over the environment, so a saved value is held to the same rules as an exported one', async () => {
      // Channels and people may be missing from both: the bot then runs and guides setup.
      const bare = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret-0123' };
      expect((await save({ TIMEZONE: 'Asia/Tokyo' }, AT, bare)).ok).toBe(true);
      expect((await save({ COOLDOWN_DAYS: '0' }, AT, bare)).ok).toBe(true);
      const bad = await save({ RETENTION_DAYS: '0' }, AT, bare);
      expect(bad.ok || bad.problems.map((p) => p.name)).toEqual(['RETENTION_DAYS']);
    });
  });

  describeOnPostgres('changeSettings, saved at the same moment on PostgreSQL', () => {
    it('records both concurrent saves, one after the other, each with its own version', async () => {
      const results = await Promise.all([
        save({ EXECUTIVES: EXEC_2 }),
        changeSettings(db.db, {
          teamId: TEAM,
          env: testEnv(),
          change: { PICK_SCHEDULE: '30 8 * * 1,3,5' },
          actor: { via: 'cli', name: 'ops' },
          now: AT,
        }),
        save({ TIMEZONE: 'Europe/Paris' }),
      ]);
      const versions = results.map((r) => (r.ok ? r.version : 0)).sort();
      expect(versions).toEqual([1, 2, 3]);
      expect(await record()).toEqual({
        version: 3,
        values: { EXECUTIVES: EXEC_2, PICK_SCHEDULE: '30 8 * * 1,3,5', TIMEZONE: 'Europe/Paris' },
      });
      expect((await audit()).map((c) => c.version).sort()).toEqual([1, 2, 3]);
    });
  });

  describe('effectiveSettings', () => {
    it('gives each setting its value and source: saved (who, when, how), the environment, or the default', async () => {
      await save({ LEADERSHIP_CHANNEL: 'CLEADS999' });
      await changeSettings(db.db, {
        teamId: TEAM,
        env: testEnv(),
        change: { ELIGIBLE_DAYS: '45' },
        actor: { via: 'cli', name: 'ops' },
        now: new Date('2026-12-08T00:00:00Z'),
      });
      const settings = await effectiveSettings(db.db, TEAM, testEnv({ SUPPORT_CHANNEL: '  ' }));
      const of = (name: string) => settings.find((s) => s.name === name);
      expect(of('LEADERSHIP_CHANNEL')).toEqual({
        name: 'LEADERSHIP_CHANNEL',
        value: 'CLEADS999',
        source: { kind: 'slack', by: ADMIN, at: AT, via: 'slack' },
      });
      expect(of('ELIGIBLE_DAYS')?.source).toEqual({
        kind: 'slack',
        by: 'ops',
        at: new Date('2026-12-08T00:00:00Z'),
        via: 'cli',
      });
      expect(of('SUPPORT_LEADS')).toEqual({ name: 'SUPPORT_LEADS', value: LEAD_1, source: { kind: 'env' } });
      expect(of('PICK_SCHEDULE')).toEqual({
        name: 'PICK_SCHEDULE',
        value: '0 10 * * 1-5',
        source: { kind: 'default' },
      });
      // Blank in the environment counts as unset.
      expect(of('SUPPORT_CHANNEL')).toEqual({ name: 'SUPPORT_CHANNEL', value: undefined, source: { kind: 'default' } });
    });

    it('before the workspace is known, has only the environment and the defaults', async () => {
      await save({ EXEC_CHANNEL: 'CSAVED001' });
      const settings = await effectiveSettings(db.db, undefined, testEnv());
      expect(settings.find((s) => s.name === 'EXEC_CHANNEL')).toEqual({
        name: 'EXEC_CHANNEL',
        value: 'CEXECS001',
        source: { kind: 'env' },
      });
      expect(settings.every((s) => s.source.kind !== 'slack')).toBe(true);
    });
  });

  describe('startLiveSettings', () => {
    let live: LiveSettings | undefined;
    afterEach(async () => {
      await live?.stop();
      live = undefined;
    });

    it('sees a change saved elsewhere (another instance, the CLI) through its poll, and tells its listeners', async () => {
      await save({ TIMEZONE: 'UTC' });
      live = await startLiveSettings({
        db: db.db,
        env: testEnv(),
        purpose: 'serve',
        logger,
        teamId: TEAM,
        pollMs: 50,
      });
      const { config } = live;
      const changes: SettingsChanged[] = [];
      live.onChange((c) => {
        changes.push(c);
      });
      expect(config.executives).toEqual(testEnv().EXECUTIVES?.split(','));

      await save({ EXECUTIVES: EXEC_2, PICK_SCHEDULE: '30 8 * * 1,3,5' });
      await waitFor(() => changes.length > 0, { what: 'the poll to apply the change' });
      // The same `config` object: every part of Pickup built with it sees the change.
      expect(config.executives).toEqual([EXEC_2]);
      expect(config.pickSchedule).toBe('30 8 * * 1,3,5');
      expect(changes[0]?.names).toEqual(['EXECUTIVES', 'PICK_SCHEDULE']);
      expect(changes[0]?.before.executives).toEqual(testEnv().EXECUTIVES?.split(','));
    });

    it('sees a change within a moment through a notification, without waiting for the poll', async () => {
      if (!db.listen) return;
      live = await startLiveSettings({
        db: db.db,
        env: testEnv(),
        purpose: 'serve',
        logger,
        teamId: TEAM,
        listen: db.listen,
        pollMs: 60_000,
      });
      await save({ COOLDOWN_DAYS: '7' });
      await waitFor(() => live?.config.cooldownDays === 7, { what: 'the notification to apply the change' });
    });

    it('starts without channels or people, says what is missing, and learns its workspace later', async () => {
      await sql`DELETE FROM installation`.execute(db.db);
      await db.db.insertInto('installation').values({ first_started_at: AT }).execute();
      const bare = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret-0123' };
      live = await startLiveSettings({ db: db.db, env: bare, purpose: 'serve', logger, teamId: undefined, pollMs: 50 });
      expect(live.teamId()).toBeUndefined();
      expect(live.missingEssentials()).toEqual(['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS']);
      const result = await live.save(
        { EXEC_CHANNEL: 'CEXECS001', LEADERSHIP_CHANNEL: 'CLEADS001', EXECUTIVES: EXEC_1 },
        { via: 'slack', userId: ADMIN },
        AT,
        TEAM,
      );
      expect(result.ok).toBe(true);
      expect(live.teamId()).toBe(TEAM);
      expect(await findInstalledTeam(db.db)).toBe(TEAM);
      expect(live.missingEssentials()).toEqual(['SUPPORT_LEADS']);
      expect(live.config.execChannel).toBe('CEXECS001');
      await recordInstalledTeam(db.db, TEAM);
    });
  });
});
