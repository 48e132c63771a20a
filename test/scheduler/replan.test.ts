import { createLogger } from '../../src/logger';
import { createRoles } from '../../src/people/roles';
import { type Scheduler, startScheduler } from '../../src/scheduler/scheduler';
import type { SettingsChange } from '../../src/settings/settings';
import { type LiveSettings, startLiveSettings } from '../../src/settings/settings.service';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { EXEC_CHANNEL, EXEC_GROUP, EXEC_IN_GROUP, testEnv } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, emptyTables, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// The scheduler re-plans its cron jobs when PICK_SCHEDULE, DIGEST_SCHEDULE or TIMEZONE is saved, with no restart,
// and catches up a pick whose new time today has passed, once. The clock is fixed; croner's own timers run in real
// time but never fire within a test (the schedules used are days away in real time, or in the past).

/** Monday 30 Nov 2026, 08:00 UTC: before the default pick (10:00) and digest (Monday 09:00), so nothing to catch up. */
const MONDAY_8AM = new Date('2026-11-30T08:00:00Z');
const TEAM = 'TREPLAN01';

describe('the scheduler re-plans its cron jobs when a schedule setting is saved', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let settings: LiveSettings;
  let scheduler: Scheduler;
  let lines: { msg: string; replanned?: string[]; job?: string; reason?: string; nextPick?: string }[];
  let now: Date;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    await emptyTables(db.db);
    await db.db.deleteFrom('settings_changes').execute();
    await db.db.deleteFrom('workspace_settings').execute();
    slack.reset();
    lines = [];
    now = MONDAY_8AM;
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const env = testEnv({ SLACK_API_URL: slack.url });
    // A poll far longer than any test: the change is applied by save() on this instance itself.
    settings = await startLiveSettings({ db: db.db, env, purpose: 'serve', logger, teamId: TEAM, pollMs: 600_000 });
    const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
    scheduler = startScheduler({
      db: db.db,
      config: settings.config,
      settings,
      logger,
      slack: port,
      roles: createRoles(settings.config, port, logger),
      now: () => now,
      outboxPollMs: 50,
    });
  });
  afterEach(async () => {
    await scheduler.stop();
    await settings.stop();
  });

  const save = async (change: SettingsChange) => {
    const result = await settings.save(change, { via: 'cli', name: 'test' }, now);
    expect(result).toMatchObject({ ok: true });
  };
  const replans = () => lines.filter((l) => /cron jobs re-planned/.test(l.msg));
  const iso = (runs: ReturnType<Scheduler['nextRuns']>) =>
    Object.fromEntries(Object.entries(runs).map(([name, at]) => [name, at?.toISOString()]));

  it('plans every job at start-up, the pick on the next working day at PICK_SCHEDULE in TIMEZONE', () => {
    expect(iso(scheduler.nextRuns())).toEqual({
      pick: '2026-11-30T10:00:00.000Z',
      digest: '2026-11-30T09:00:00.000Z',
      reminders: '2026-11-30T08:05:00.000Z',
      retention: '2026-12-01T03:30:00.000Z',
    });
  });

  it('moves the next pick when PICK_SCHEDULE changes, and says so once', async () => {
    await save({ PICK_SCHEDULE: '30 11 * * 1-5' });

    expect(scheduler.nextRuns().pick?.toISOString()).toBe('2026-11-30T11:30:00.000Z');
    expect(scheduler.nextRuns().digest?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(replans()).toHaveLength(1);
    expect(replans()[0]).toMatchObject({ replanned: ['pick'], nextPick: '2026-11-30T11:30:00.000Z' });
  });

  it('re-plans every job in the new TIMEZONE', async () => {
    await save({ TIMEZONE: 'America/New_York' });

    expect(iso(scheduler.nextRuns())).toEqual({
      pick: '2026-11-30T15:00:00.000Z', // 10:00 in New York
      digest: '2026-11-30T14:00:00.000Z', // Monday 09:00 in New York: later today
      reminders: '2026-11-30T08:05:00.000Z',
      retention: '2026-11-30T08:30:00.000Z', // 03:30 in New York: it is 03:00 there
    });
    expect(replans()).toHaveLength(1);
    expect(replans()[0]?.replanned).toEqual(['pick', 'digest', 'reminders', 'retention']);
  });

  it('moves only the digest when DIGEST_SCHEDULE changes, and re-plans nothing for other settings', async () => {
    await save({ DIGEST_SCHEDULE: '0 16 * * 5' });
    expect(scheduler.nextRuns().digest?.toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(replans().map((l) => l.replanned)).toEqual([['digest']]);

    await save({ ELIGIBLE_DAYS: '10', HOLIDAYS: '2026-12-01' });
    expect(replans()).toHaveLength(1);
  });

  it("skips today's holidays in the next pick as soon as HOLIDAYS or HOLIDAY_COUNTRY is saved", async () => {
    await save({ HOLIDAYS: '2026-11-30' });
    expect(scheduler.nextRuns().pick?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    now = new Date('2026-12-24T12:00:00Z');
    await save({ HOLIDAY_COUNTRY: 'GB' });
    // Christmas, Boxing Day (a Saturday, observed on Monday 28th), then the weekend: Tuesday 29th.
    expect(scheduler.nextRuns().pick?.toISOString()).toBe('2026-12-29T10:00:00.000Z');
  });

  it("catches up today's pick when the new time has already passed, and draws it once however often it moves", async () => {
    for (let i = 0; i < 3; i++) await insertComplaint(db.db, {}, { received_at: new Date('2026-11-29T12:00:00Z') });

    await save({ PICK_SCHEDULE: '0 7 * * 1-5' });
    await save({ PICK_SCHEDULE: '30 7 * * 1-5' });
    await save({ TIMEZONE: 'Europe/London' });

    await waitFor(async () => (await db.db.selectFrom('picks').select('pick_date').execute()).length > 0, {
      what: "today's pick",
    });
    await waitForOutboxIdle(db.db);
    await waitFor(() => lines.filter((l) => l.job === 'pick').length >= 3, { what: 'every catch-up to finish' });
    expect(await db.db.selectFrom('picks').select('pick_date').execute()).toEqual([{ pick_date: '2026-11-30' }]);
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === EXEC_CHANNEL);
    expect(posts).toHaveLength(1);
    expect(lines.filter((l) => l.job === 'pick').map((l) => l.reason)).toEqual([
      'schedule changed',
      'schedule changed',
      'schedule changed',
    ]);
  });

  it('catches up nothing when the new time is still to come, or today is a holiday', async () => {
    await save({ PICK_SCHEDULE: '0 9 * * 1-5' });
    await save({ HOLIDAY_COUNTRY: 'US', HOLIDAYS: '2026-11-30' });
    await save({ PICK_SCHEDULE: '0 7 * * *' });
    await scheduler.stop();
    expect(await db.db.selectFrom('picks').select('pick_date').execute()).toEqual([]);
  });

  it('stops following the settings once stopped', async () => {
    await scheduler.stop();
    await save({ PICK_SCHEDULE: '0 7 * * 1-5' });
    expect(replans()).toHaveLength(0);
    expect(scheduler.nextRuns()).toEqual({});
  });
});
