import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirLockedError, openDatabase, openViaRunningBot } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { type RunningPickup, startPickup } from '../../src/main';
import type { SettingsChange } from '../../src/settings/settings';
import { changeSettings } from '../../src/settings/settings.service';
import { EXEC_CHANNEL, OUTSIDER, testEnv } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { clickButton, type ResponseUrlServer, startResponseUrlServer, TEST_TEAM } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// "Applied live, everywhere": a change saved on one instance (or by the CLI) reaches every other within seconds,
// with no restart. The poll is set far longer than any test, so what arrives in time arrived by LISTEN/NOTIFY.

const logger = createLogger('silent');
/** Longer than any test: a change seen in time was notified, not polled. */
const NO_POLL_MS = 600_000;
/** Monday 30 Nov 2026, 08:00 UTC: before the default pick (10:00) and digest (09:00), so nothing catches up. */
const MONDAY_8AM = new Date('2026-11-30T08:00:00Z');
const CLI_ACTOR = { via: 'cli', name: 'ops' } as const;
/** The workspace the fake Slack's auth.test names: the one whose settings every instance follows. */
const TEAM_ID = TEST_TEAM.id;

/** A logger that keeps each line, to tell what each instance did. */
function capturingLogger() {
  const lines: { job?: string; status?: string; msg: string }[] = [];
  return { lines, logger: createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

/** How long a change took to reach an instance: resolves once `seen` holds, with the milliseconds since `from`. */
async function timeUntil(seen: () => boolean, from: number, what: string): Promise<number> {
  await waitFor(seen, { timeoutMs: 5_000, intervalMs: 5, what });
  return Date.now() - from;
}

describeOnPostgres('two instances on one PostgreSQL database follow each other’s settings changes', () => {
  let db: TestDb;
  let second: TestDb;
  let slack: FakeSlack;
  let responses: ResponseUrlServer;
  let a: TestApp;
  let b: TestApp;
  const logs = { a: capturingLogger(), b: capturingLogger() };
  const pickRuns = (instance: keyof typeof logs) =>
    logs[instance].lines.filter((l) => l.job === 'pick' && l.status !== undefined).map((l) => l.status);

  beforeAll(async () => {
    db = await createTestDb({ poolSize: 6 });
    // B has its own pool and its own LISTEN connection, as another process would.
    second = { ...(await openDatabase({ url: db.url, dataDir: '', logger, poolSize: 6 })), url: db.url };
    slack = await startFakeSlack();
    responses = await startResponseUrlServer();
    const options = { cronJobs: true, now: () => MONDAY_8AM, settingsPollMs: NO_POLL_MS };
    a = await startTestApp(db, slack, { ...options, logger: logs.a.logger });
    b = await startTestApp(second, slack, { ...options, logger: logs.b.logger });
    b.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await second?.close();
    await responses?.close();
    await slack?.close();
    await db?.close();
  });

  it('a change saved on A is applied on B well within the 3 s poll', async () => {
    const started = Date.now();
    const result = await a.pickup.settings.save({ ELIGIBLE_DAYS: '12' }, CLI_ACTOR, MONDAY_8AM);
    expect(result).toMatchObject({ ok: true, changed: ['ELIGIBLE_DAYS'] });
    expect(a.pickup.settings.config.eligibleDays).toBe(12);
    const took = await timeUntil(() => b.pickup.settings.config.eligibleDays === 12, started, 'B to apply it');
    expect(took).toBeLessThan(2_000);
  });

  it('executives changed on A are honoured by B’s role check at once', async () => {
    const complaintId = await insertComplaint(db.db);
    const claimOnB = () =>
      clickButton(b.slackTarget, {
        actionId: 'claim_complaint',
        value: String(complaintId),
        userId: OUTSIDER,
        channelId: EXEC_CHANNEL,
      });
    const claims = () =>
      db.db.selectFrom('claims').select('claimed_by').where('complaint_id', '=', complaintId).execute();
    await claimOnB();
    await responses.waitFor(1);
    expect(await claims()).toEqual([]);

    const executives = `${a.pickup.settings.config.executives.join(',')},${OUTSIDER}`;
    const started = Date.now();
    await a.pickup.settings.save({ EXECUTIVES: executives }, { via: 'slack', userId: 'UADMIN001' }, MONDAY_8AM);
    const took = await timeUntil(
      () => b.pickup.settings.config.executives.includes(OUTSIDER),
      started,
      'B to know the new executive',
    );
    expect(took).toBeLessThan(2_000);
    await claimOnB();
    await responses.waitFor(2);
    expect(await claims()).toEqual([{ claimed_by: OUTSIDER }]);
  });

  it('a schedule change re-plans both, and the pick both then run for the same date is drawn and posted once', async () => {
    for (let i = 0; i < 3; i++) await insertComplaint(db.db, {}, { received_at: new Date('2026-11-29T12:00:00Z') });
    expect(a.pickup.scheduler.nextRuns().pick?.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(b.pickup.scheduler.nextRuns().pick?.toISOString()).toBe('2026-11-30T10:00:00.000Z');

    // Saved beside both (as `settings set` would be): each hears it by NOTIFY at the same moment, re-plans, finds
    // that 07:00 today has passed, and runs today's pick at once. The database lets one draw it.
    const change: SettingsChange = { PICK_SCHEDULE: '0 7 * * 1-5' };
    const env = testEnv({ SLACK_API_URL: slack.url });
    const saved = await changeSettings(db.db, { teamId: TEAM_ID, env, change, actor: CLI_ACTOR, now: MONDAY_8AM });
    expect(saved).toMatchObject({ ok: true });

    await waitFor(
      () =>
        a.pickup.scheduler.nextRuns().pick?.toISOString() === '2026-12-01T07:00:00.000Z' &&
        b.pickup.scheduler.nextRuns().pick?.toISOString() === '2026-12-01T07:00:00.000Z',
      { timeoutMs: 2_000, what: 'both instances to re-plan' },
    );
    await waitFor(async () => (await db.db.selectFrom('picks').select('id').execute()).length > 0, {
      what: "today's pick",
    });
    // Each instance ran the pick job for today; one drew it, the other found it drawn.
    await waitFor(() => pickRuns('a').length === 1 && pickRuns('b').length === 1, { what: 'both pick jobs' });
    expect([...pickRuns('a'), ...pickRuns('b')].sort()).toEqual(['already_picked', 'picked']);
    await waitForOutboxIdle(db.db);
    expect(await db.db.selectFrom('picks').select('pick_date').execute()).toEqual([{ pick_date: '2026-11-30' }]);
    const posts = slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === EXEC_CHANNEL && c.args.thread_ts === undefined);
    expect(posts).toHaveLength(1);
  });
});

describe('a change made by the CLI beside the running bot on the embedded database', () => {
  let dir: string;
  let slack: FakeSlack;
  let bot: RunningPickup | undefined;
  let dataDir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-live-'));
    dataDir = path.join(dir, 'data');
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    // Each test starts its own bot: the data directory is free for the next.
    await bot?.stop();
    bot = undefined;
  });
  afterAll(async () => {
    await slack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the bot on DATA_DIR as `npm start` does (it holds the directory and serves the socket). */
  const startBot = (settingsPollMs: number) =>
    startPickup(testEnv({ SLACK_API_URL: slack.url, DATA_DIR: dataDir, DATABASE_URL: undefined }), logger, {
      botUserId: 'UBOT',
      cronJobs: false,
      outboxPollMs: 50,
      settingsPollMs,
    });

  /** What `settings set` does: open the database through the bot's socket, and save the change there. */
  async function setBesideBot(change: SettingsChange): Promise<void> {
    const cli = await openViaRunningBot(new DataDirLockedError(dataDir, process.pid), logger);
    try {
      const env = testEnv({ DATA_DIR: dataDir });
      const saved = await changeSettings(cli.db, { teamId: TEAM_ID, env, change, actor: CLI_ACTOR, now: new Date() });
      expect(saved).toMatchObject({ ok: true });
    } finally {
      await cli.close();
    }
  }

  it('reaches the bot by its notification, well within the poll', async () => {
    const running = await startBot(NO_POLL_MS);
    bot = running;
    expect(running.settings.teamId()).toBe(TEAM_ID);
    // Not already there: the default, or the 60 the other test leaves.
    expect(running.settings.config.cooldownDays).not.toBe(45);
    const started = Date.now();
    await setBesideBot({ COOLDOWN_DAYS: '45', EXECUTIVES: OUTSIDER });
    const took = await timeUntil(() => running.settings.config.cooldownDays === 45, started, 'the bot to apply it');
    expect(took).toBeLessThan(2_000);
    expect(running.settings.config.executives).toEqual([OUTSIDER]);
  }, 120_000);

  it('reaches the bot by the poll when no notification comes', async () => {
    // A change saved beside an earlier bot: the bot started next begins with it.
    bot = await startBot(NO_POLL_MS);
    await setBesideBot({ COOLDOWN_DAYS: '45' });
    await bot.stop();
    const running = await startBot(200);
    bot = running;
    expect(running.settings.config.cooldownDays).toBe(45);
    // A version bumped without NOTIFY (a missed notification, say): only the poll can find it.
    await running.database.db
      .updateTable('workspace_settings')
      .set((eb) => ({ values: JSON.stringify({ COOLDOWN_DAYS: '60' }), version: eb('version', '+', 1) }))
      .where('team_id', '=', TEAM_ID)
      .execute();
    await timeUntil(() => running.settings.config.cooldownDays === 60, Date.now(), 'the poll to find it');
  }, 120_000);
});
