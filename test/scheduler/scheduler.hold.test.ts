import { createLogger } from '../../src/logger';
import { createRoles } from '../../src/people/roles';
import { startScheduler } from '../../src/scheduler/scheduler';
import type { SetupState } from '../../src/settings/setup.service';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { testConfig } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// Tuesday 8 December 2026, 12:00 UTC: after the 10:00 pick and the Monday digest, so start-up catches both up.
const NOW = new Date('2026-12-08T12:00:00Z');

describe('the scheduler posts nothing while setup is incomplete or Pickup is removed', () => {
  let db: TestDb;
  let slack: FakeSlack;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    await emptyTables(db.db);
    await insertComplaint(db.db, { subject: 'Charged twice', receivedAt: new Date('2026-12-07T09:00:00Z') });
    slack.reset();
  });

  /** Starts the scheduler with the catch-ups due and `state` as the settings; resolves with its log lines. */
  async function runCatchUps(state: SetupState | undefined) {
    const lines: { msg: string; job?: string; hold?: string }[] = [];
    const logger = createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = testConfig();
    const scheduler = startScheduler({
      db: db.db,
      config,
      logger,
      slack: createSlackPort(createWebClient('xoxb-test', slack.url, logger)),
      roles: createRoles(config, { listUserGroupMembers: async () => [] }, logger),
      now: () => NOW,
      outboxPollMs: 20,
      settings: state && { ...state, onChange: () => () => undefined },
    });
    await waitFor(() => ['pick', 'digest'].every((job) => lines.some((l) => l.job === job)));
    await scheduler.stop();
    return lines;
  }

  it.each([
    ['setup is incomplete', { missingEssentials: () => ['EXEC_CHANNEL' as const], uninstalled: () => undefined }],
    [
      'Pickup was removed from Slack',
      { missingEssentials: () => [], uninstalled: () => ({ at: NOW, reason: 'app_uninstalled' }) },
    ],
  ])('%s: the catch-up pick and digest are skipped, logged at debug', async (_, state) => {
    const lines = await runCatchUps(state);
    const skipped = lines.filter((l) => l.msg.includes('skipped'));
    expect(skipped.map((l) => l.job).sort()).toEqual(['digest', 'pick']);
    expect(await db.db.selectFrom('picks').selectAll().execute()).toEqual([]);
    expect(await db.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
    expect(slack.calls).toEqual([]);
  });

  it('picks as usual once set up', async () => {
    await runCatchUps({ missingEssentials: () => [], uninstalled: () => undefined });
    expect(await db.db.selectFrom('picks').select('pick_date').execute()).toEqual([{ pick_date: '2026-12-08' }]);
  });
});
