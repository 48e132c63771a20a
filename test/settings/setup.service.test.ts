import { createLogger } from '../../src/logger';
import { type LiveSettings, startLiveSettings } from '../../src/settings/settings.service';
import {
  assertSetUp,
  confirmInstalled,
  markUninstalled,
  nextPickAt,
  notSetUpMessage,
  postingHold,
  queueWelcome,
  type SetupDeps,
  setupIncompleteMessage,
  watchSetup,
  welcomeKey,
} from '../../src/settings/setup.service';
import { DomainError } from '../../src/shared/errors';
import { EXEC_1, EXEC_CHANNEL, LEAD_1, LEADERSHIP_CHANNEL, testConfig, testEnv } from '../helpers/config';
import { insertPick } from '../helpers/factories';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

const TEAM = 'T1';
// Monday 7 December 2026, 08:00 UTC.
const NOW = new Date('2026-12-07T08:00:00Z');
const UNSET = { EXEC_CHANNEL: '', LEADERSHIP_CHANNEL: '', EXECUTIVES: '', SUPPORT_LEADS: '' };
const ESSENTIALS = {
  EXEC_CHANNEL,
  LEADERSHIP_CHANNEL,
  EXECUTIVES: EXEC_1,
  SUPPORT_LEADS: LEAD_1,
};
const ADMIN = { via: 'slack', userId: 'UADMIN001' } as const;

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const logger = createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines, at: (level: number) => lines.filter((l) => l.level === level) };
}
const WARN = 40;
const INFO = 30;

describe('postingHold and assertSetUp', () => {
  const state = (missing: string[], uninstalled?: { at: Date; reason: string }) => ({
    missingEssentials: () => missing as never[],
    uninstalled: () => uninstalled,
  });

  it('holds posting while an essential is missing, and while Pickup is removed (that first)', () => {
    expect(postingHold(state([]))).toBeUndefined();
    expect(postingHold(state(['EXEC_CHANNEL']))).toEqual({ kind: 'setup_incomplete', missing: ['EXEC_CHANNEL'] });
    const removed = { at: NOW, reason: 'app_uninstalled' };
    expect(postingHold(state(['EXEC_CHANNEL'], removed))).toEqual({ kind: 'uninstalled', ...removed });
  });

  it('refuses with not_set_up and the missing settings by their Slack labels, pointing at the App Home', () => {
    expect(() => assertSetUp(state([]))).not.toThrow();
    let refusal: unknown;
    try {
      assertSetUp(state(['EXEC_CHANNEL', 'EXECUTIVES']));
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'not_set_up', userMessage: notSetUpMessage(['EXEC_CHANNEL', 'EXECUTIVES']) });
    expect(notSetUpMessage(['EXEC_CHANNEL', 'EXECUTIVES'])).toBe(
      "Pickup is not set up yet: Executives' channel, Executives still missing; an admin can finish setup in Pickup's App Home.",
    );
  });

  it('tells the operator what is missing and both ways to set it', () => {
    const message = setupIncompleteMessage(['EXEC_CHANNEL', 'SUPPORT_LEADS']);
    expect(message).toContain('EXEC_CHANNEL');
    expect(message).toContain('SUPPORT_LEADS');
    expect(message).toContain('posts nothing');
    expect(message).toContain('App Home');
    expect(message).toContain('Set up Pickup');
    expect(message).toContain('environment');
  });
});

describe('nextPickAt', () => {
  const config = (overrides: Record<string, string> = {}) =>
    testConfig({ TIMEZONE: 'Europe/Paris', PICK_SCHEDULE: '0 10 * * 1-5', ...overrides });

  it.each([
    ['later the same day', '2026-12-07T08:00:00Z', {}, '2026-12-07T09:00:00.000Z'],
    ['the next weekday after Friday’s pick', '2026-12-11T10:00:00Z', {}, '2026-12-14T09:00:00.000Z'],
    ['past a listed holiday', '2026-12-07T10:00:00Z', { HOLIDAYS: '2026-12-08' }, '2026-12-09T09:00:00.000Z'],
    // Christmas (Friday) and Boxing Day are public holidays in Germany: the next pick is on Monday the 28th.
    ['past a public holiday', '2026-12-24T12:00:00Z', { HOLIDAY_COUNTRY: 'DE' }, '2026-12-28T09:00:00.000Z'],
    [
      'past a holiday however often the schedule fires that day',
      '2026-12-08T08:00:00Z',
      { PICK_SCHEDULE: '*/5 * * * *', HOLIDAYS: '2026-12-08' },
      '2026-12-08T23:00:00.000Z',
    ],
  ])('%s', (_, now, overrides, expected) => {
    expect(nextPickAt(config(overrides), new Date(now))?.toISOString()).toBe(expected);
  });

  it('is undefined when the schedule never fires', () => {
    // 30 February never comes.
    expect(nextPickAt(config({ PICK_SCHEDULE: '0 10 30 2 *' }), NOW)).toBeUndefined();
  });
});

describe('the welcome and the uninstall mark, on a database', () => {
  let db: TestDb;
  let settings: LiveSettings;
  let log: ReturnType<typeof capturingLogger>;
  let kicks: number;
  let deps: SetupDeps;

  const welcomes = () => db.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', welcomeKey(TEAM)).execute();
  const start = async (env: Record<string, string>) => {
    log = capturingLogger();
    settings = await startLiveSettings({
      db: db.db,
      env: testEnv(env),
      purpose: 'serve',
      logger: log.logger,
      teamId: TEAM,
      pollMs: 60_000,
    });
    kicks = 0;
    deps = { db: db.db, settings, logger: log.logger, now: () => NOW, kickOutbox: () => (kicks += 1) };
  };

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await emptyTables(db.db);
    await db.db.deleteFrom('settings_changes').execute();
    await db.db.deleteFrom('workspace_settings').execute();
  });
  afterEach(async () => {
    await settings.stop();
  });

  it('warns once at start while setup is incomplete, then says once when it is complete and welcomes once', async () => {
    await start(UNSET);
    const stop = watchSetup(deps);
    expect(log.at(WARN)).toHaveLength(1);
    expect(log.at(WARN)[0]?.msg).toContain('Setup is incomplete');
    expect(log.at(WARN)[0]?.missing).toEqual(['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS']);
    expect(await welcomes()).toEqual([]);

    await settings.save({ EXEC_CHANNEL, LEADERSHIP_CHANNEL }, ADMIN, NOW);
    expect(await welcomes()).toEqual([]);
    await settings.save({ EXECUTIVES: EXEC_1, SUPPORT_LEADS: LEAD_1 }, ADMIN, NOW);
    const [welcome, ...more] = await welcomes();
    expect(more).toEqual([]);
    expect(welcome?.payload).toMatchObject({ operation: 'post', message: { channel: EXEC_CHANNEL } });
    expect(JSON.stringify(welcome?.payload)).toContain('Pickup is set up');
    expect(kicks).toBe(1);
    expect(log.at(INFO).filter((l) => l.msg.startsWith('setup is complete'))).toHaveLength(1);

    // Another change, then setup broken and mended again: still the one welcome.
    await settings.save({ TIMEZONE: 'Europe/Paris' }, ADMIN, NOW);
    await settings.save({ EXEC_CHANNEL: null }, ADMIN, NOW);
    expect(log.at(WARN)).toHaveLength(2);
    await settings.save({ EXEC_CHANNEL }, ADMIN, NOW);
    expect(await welcomes()).toHaveLength(1);
    stop();
  });

  it('does not welcome a workspace already complete when Pickup starts (set up outside Slack), nor on restarts', async () => {
    await start(ESSENTIALS);
    watchSetup(deps)();
    expect(log.at(WARN)).toEqual([]);
    await settings.stop();
    await start(ESSENTIALS);
    const stop = watchSetup(deps);
    await settings.save({ EXECUTIVES: `${EXEC_1},UEXEC0002` }, ADMIN, NOW);
    stop();
    expect(await welcomes()).toEqual([]);
    expect(kicks).toBe(0);
  });

  it('does not welcome a workspace that used Pickup before, when a setting is emptied and set again', async () => {
    await insertPick(db.db, { pick_date: '2026-12-04' });
    await start({ ...ESSENTIALS, EXEC_CHANNEL: '' });
    const stop = watchSetup(deps);
    await settings.save({ EXEC_CHANNEL }, ADMIN, NOW);
    stop();
    expect(log.at(INFO).filter((l) => l.msg.startsWith('setup is complete'))).toHaveLength(1);
    expect(await welcomes()).toEqual([]);
    expect(await queueWelcome(deps)).toBe(false);
  });

  it('marks the workspace removed, keeps what it has, says how to erase it, and lifts the mark when Slack accepts it', async () => {
    await start(ESSENTIALS);
    await markUninstalled(deps, { teamId: TEAM, reason: 'app_uninstalled', at: NOW });
    expect(settings.uninstalled()).toEqual({ at: NOW, reason: 'app_uninstalled' });
    expect(postingHold(settings)?.kind).toBe('uninstalled');
    const warning = log.at(WARN).find((l) => l.reason === 'app_uninstalled');
    expect(warning?.msg).toContain('posts nothing');
    expect(warning?.msg).toContain('kept');
    expect(warning?.msg).toContain('Uninstall and erase');
    expect(settings.config.execChannel).toBe(EXEC_CHANNEL);

    expect(await confirmInstalled(deps, 'TOTHER')).toBe(false);
    expect(settings.uninstalled()).toBeDefined();
    expect(await confirmInstalled(deps, TEAM)).toBe(true);
    expect(settings.uninstalled()).toBeUndefined();
    expect(kicks).toBe(1);
    expect(await confirmInstalled(deps, TEAM)).toBe(false);
  });

  it('ignores an uninstall event from another workspace', async () => {
    await start(ESSENTIALS);
    await markUninstalled(deps, { teamId: 'TOTHER', reason: 'tokens_revoked', at: NOW });
    expect(settings.uninstalled()).toBeUndefined();
  });
});
