import { openDatabase } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { type LiveSettings, startLiveSettings } from '../../src/settings/settings.service';
import { welcomeKey } from '../../src/settings/setup.service';
import { EXEC_1, EXEC_2, EXEC_CHANNEL, LEAD_1, LEADERSHIP_CHANNEL, testEnv } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  clickButton,
  type ResponseUrlServer,
  sendEvent,
  sendSlashCommand,
  startResponseUrlServer,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, resetSettings, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

/** What `npm start` sees with only the Slack tokens: the channels and people blank (unset). */
const FIRST_RUN_ENV = {
  EXEC_CHANNEL: '',
  LEADERSHIP_CHANNEL: '',
  EXECUTIVES: '',
  SUPPORT_LEADS: '',
  // Every second, so the pick job runs again and again while the test watches what it does (and does not) post.
  PICK_SCHEDULE: '* * * * * *',
};
const TEAM = 'T1';
const ADMIN = { via: 'slack', userId: 'UADMIN001' } as const;

interface LogLine {
  level: number;
  msg: string;
  job?: string;
  hold?: string;
}

/** An instance of Pickup with its own log. */
interface Instance {
  app: TestApp;
  lines: LogLine[];
}

/**
 * A fresh install through the fake Slack, on two instances sharing one database (each its own pool on PostgreSQL):
 * nothing is posted until setup is complete, then one welcome, however many instances see it and however often
 * settings change; after `app_uninstalled`, nothing more is posted and the data stays, until Slack accepts Pickup
 * again.
 */
describe('first run, welcome and uninstall, end to end', () => {
  let db: TestDb;
  let second: TestDb;
  let slack: FakeSlack;
  let responses: ResponseUrlServer;
  let a: Instance;
  let b: Instance;
  let saver: LiveSettings;
  let complaintId: number;
  // Tuesday 8 December 2026, 12:00 UTC; moved a day on once Pickup is removed, so the pick job has a new date to draw.
  const START = new Date('2026-12-08T12:00:00Z');
  let clock = START;

  async function startInstance(database: TestDb): Promise<Instance> {
    const lines: LogLine[] = [];
    const logger = createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = await startTestApp(database, slack, {
      env: FIRST_RUN_ENV,
      logger,
      cronJobs: true,
      now: () => clock,
    });
    return { app, lines };
  }

  const posts = () => slack.callsTo('chat.postMessage');
  const welcomes = () => posts().filter((c) => String(c.args.text).startsWith('Pickup is set up'));
  const skipped = (i: Instance, hold: string) => i.lines.filter((l) => l.job === 'pick' && l.hold === hold).length;
  const logged = (i: Instance, start: string) => i.lines.filter((l) => l.msg.startsWith(start)).length;
  /** Waits for both instances to skip `more` further pick ticks for `hold`. */
  async function bothSkip(hold: string, more = 2): Promise<void> {
    const before = [skipped(a, hold), skipped(b, hold)];
    await waitFor(() => skipped(a, hold) >= (before[0] ?? 0) + more && skipped(b, hold) >= (before[1] ?? 0) + more, {
      timeoutMs: 10_000,
    });
  }
  /** Saves a change as an admin would (from any instance, or the CLI); every instance applies it within seconds. */
  const save = async (change: Parameters<LiveSettings['save']>[0]) => {
    const result = await saver.save(change, ADMIN, clock);
    expect(result.ok).toBe(true);
  };
  /** Completes setup (as an admin would) and waits for the pick job to draw today's pick. */
  async function setUp(): Promise<void> {
    await save({ EXEC_CHANNEL, LEADERSHIP_CHANNEL, EXECUTIVES: EXEC_1, SUPPORT_LEADS: LEAD_1 });
    await waitFor(async () => (await db.db.selectFrom('picks').selectAll().execute()).length === 1, {
      timeoutMs: 10_000,
    });
  }
  async function answer(send: () => Promise<unknown>): Promise<string> {
    const before = responses.posts.length;
    await send();
    const all = await responses.waitFor(before + 1);
    return String((all[before]?.body as { text?: string } | undefined)?.text);
  }

  beforeAll(async () => {
    db = await createTestDb();
    second = db.url
      ? {
          ...(await openDatabase({ url: db.url, dataDir: '', logger: createLogger('silent'), poolSize: 5 })),
          url: db.url,
        }
      : db;
    slack = await startFakeSlack();
    responses = await startResponseUrlServer();
    a = await startInstance(db);
    b = await startInstance(second);
    a.app.slackTarget.responseUrl = responses.url;
    b.app.slackTarget.responseUrl = responses.url;
    saver = await startLiveSettings({
      db: db.db,
      env: testEnv(FIRST_RUN_ENV),
      purpose: 'serve',
      logger: createLogger('silent'),
      teamId: TEAM,
    });
  }, 30_000);
  // Each test starts from a fresh install: the environment's settings only, no saved setting nor uninstall mark, no
  // pick nor outbox message, the one complaint, the first day, and nothing an earlier test sent still on its way.
  beforeEach(async () => {
    clock = START;
    await resetSettings(db.db, a.app.pickup, b.app.pickup, { settings: saver });
    await waitForOutboxIdle(db.db);
    await emptyTables(db.db);
    complaintId = await insertComplaint(db.db, {
      subject: 'Charged twice',
      receivedAt: new Date('2026-12-07T09:00:00Z'),
    });
    slack.reset();
    responses.reset();
  });
  afterAll(async () => {
    await saver?.stop();
    await b?.app.stop();
    await a?.app.stop();
    if (second !== db) await second?.close();
    await responses?.close();
    await slack?.close();
    await db?.close();
  });

  it('starts with only the Slack tokens, says once what is missing, and posts nothing', async () => {
    // An instance of its own, started now, so its log holds only what it said since start-up.
    const fresh = await startInstance(db);
    try {
      const before = skipped(fresh, 'setup_incomplete');
      await bothSkip('setup_incomplete');
      await waitFor(() => skipped(fresh, 'setup_incomplete') >= before + 2, { timeoutMs: 10_000 });
      expect(posts()).toEqual([]);
      expect(await db.db.selectFrom('picks').selectAll().execute()).toEqual([]);
      expect(logged(fresh, 'Setup is incomplete')).toBe(1);
      expect(fresh.lines.find((l) => l.msg.startsWith('Setup is incomplete'))?.level).toBe(40);
    } finally {
      await fresh.app.stop();
    }
  });

  it('answers /pickup pick and a claim with "not set up yet", privately, and writes nothing', async () => {
    const pick = await answer(() =>
      sendSlashCommand(a.app.slackTarget, { command: '/pickup', text: 'pick', userId: EXEC_1, channelId: 'C1' }),
    );
    expect(pick).toBe(
      "Pickup is not set up yet: Executives' channel, Leadership channel, Executives, Support leads still missing; an admin can finish setup in Pickup's App Home.",
    );
    const claim = await answer(() =>
      clickButton(b.app.slackTarget, {
        actionId: 'claim_complaint',
        value: String(complaintId),
        userId: EXEC_1,
        channelId: 'C1',
      }),
    );
    expect(claim).toMatch(/^Pickup is not set up yet: /);
    expect(responses.posts.map((p) => (p.body as { response_type?: string }).response_type)).toEqual([
      'ephemeral',
      'ephemeral',
    ]);
    expect(await db.db.selectFrom('claims').selectAll().execute()).toEqual([]);
    expect(posts()).toEqual([]);
  });

  it('posts one welcome to the executives’ channel once setup is complete, whatever the instances and saves', async () => {
    // Counted from here: an earlier test may have completed setup on these instances before.
    const [aDone, bDone] = [logged(a, 'setup is complete'), logged(b, 'setup is complete')];
    await save({ EXEC_CHANNEL, LEADERSHIP_CHANNEL, EXECUTIVES: EXEC_1, SUPPORT_LEADS: LEAD_1 });
    await waitFor(() => welcomes().length === 1, { timeoutMs: 10_000 });
    await waitFor(() => logged(a, 'setup is complete') === aDone + 1 && logged(b, 'setup is complete') === bDone + 1, {
      timeoutMs: 10_000,
    });
    expect(welcomes()[0]?.args.channel).toBe(EXEC_CHANNEL);
    expect(JSON.stringify(welcomes()[0]?.args.blocks)).toContain('First pick');

    // A second save, and setup broken then mended (a transition on both instances again): still one welcome.
    await save({ EXECUTIVES: `${EXEC_1},${EXEC_2}` });
    await save({ EXEC_CHANNEL: null });
    await bothSkip('setup_incomplete', 1);
    await save({ EXEC_CHANNEL });
    await waitFor(() => logged(a, 'setup is complete') === aDone + 2 && logged(b, 'setup is complete') === bDone + 2, {
      timeoutMs: 10_000,
    });
    await waitForOutboxIdle(db.db);
    expect(welcomes()).toHaveLength(1);
    expect(
      await db.db.selectFrom('outbox').select('dedupe_key').where('dedupe_key', 'like', 'welcome:%').execute(),
    ).toEqual([{ dedupe_key: welcomeKey(TEAM) }]);
    // Setup complete, the pick job draws today's pick: once for both instances.
    await waitFor(async () => (await db.db.selectFrom('picks').selectAll().execute()).length === 1);
  });

  it('after app_uninstalled posts nothing more, keeps the data, and resumes once Slack accepts Pickup again', async () => {
    await setUp();
    await waitForOutboxIdle(db.db);
    slack.reset();
    const from = a.lines.length;
    const res = await sendEvent(a.app.slackTarget, { type: 'app_uninstalled' });
    expect(res.status).toBe(200);
    await bothSkip('uninstalled');
    expect(a.lines.slice(from).some((l) => l.level === 40 && l.msg.includes('Uninstall and erase'))).toBe(true);

    // A new day: the pick job has a date to draw, and draws nothing while Pickup is removed.
    clock = new Date('2026-12-09T12:00:00Z');
    await bothSkip('uninstalled', 3);
    expect(posts()).toEqual([]);
    expect(await db.db.selectFrom('picks').select('pick_date').execute()).toEqual([{ pick_date: '2026-12-08' }]);
    const kept = await db.db
      .selectFrom('workspace_settings')
      .selectAll()
      .where('team_id', '=', TEAM)
      .executeTakeFirst();
    expect(kept?.values).toMatchObject({ EXEC_CHANNEL, LEADERSHIP_CHANNEL });
    expect(kept?.uninstall_reason).toBe('app_uninstalled');
    expect(await db.db.selectFrom('complaints').select('subject').execute()).toEqual([{ subject: 'Charged twice' }]);

    // A request while Slack still refuses the token lifts nothing; one once Slack accepts it again does.
    slack.failNext('auth.test', 1, { error: 'invalid_auth' });
    await sendEvent(a.app.slackTarget, { type: 'app_home_opened', user: EXEC_1, channel: 'D1', tab: 'home' });
    await waitFor(() => a.lines.slice(from).some((l) => l.msg.startsWith('Pickup is still removed')));
    await bothSkip('uninstalled', 1);
    expect(posts()).toEqual([]);
    await sendEvent(b.app.slackTarget, { type: 'app_home_opened', user: EXEC_1, channel: 'D1', tab: 'home' });
    await waitFor(() => posts().some((c) => c.args.channel === EXEC_CHANNEL), { timeoutMs: 10_000 });
    expect(await db.db.selectFrom('picks').select('pick_date').orderBy('pick_date').execute()).toEqual([
      { pick_date: '2026-12-08' },
      { pick_date: '2026-12-09' },
    ]);
  });

  it('tokens_revoked marks Pickup removed for the bot token only', async () => {
    const reason = async () =>
      (await db.db.selectFrom('workspace_settings').select('uninstall_reason').executeTakeFirstOrThrow())
        .uninstall_reason;
    await waitFor(async () => (await reason()) === null);
    await sendEvent(a.app.slackTarget, { type: 'tokens_revoked', tokens: { oauth: ['UADMIN001'] } });
    await sendEvent(a.app.slackTarget, { type: 'app_home_opened', user: EXEC_1, channel: 'D1', tab: 'home' });
    expect(await reason()).toBeNull();
    await sendEvent(a.app.slackTarget, { type: 'tokens_revoked', tokens: { bot: ['UBOT'] } });
    await waitFor(async () => (await reason()) === 'tokens_revoked');
    await bothSkip('uninstalled', 1);
  });
});
