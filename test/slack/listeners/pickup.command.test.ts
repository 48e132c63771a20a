import type { RespondArguments, RespondFn } from '@slack/bolt';
import { createLogger } from '../../../src/logger';
import { createRoles } from '../../../src/people/roles';
import type { SlackPort } from '../../../src/ports/slack.port';
import { type LiveSettings, startLiveSettings } from '../../../src/settings/settings.service';
import { DomainError } from '../../../src/shared/errors';
import type { SlackDeps } from '../../../src/slack/deps';
import { runSubcommand } from '../../../src/slack/listeners/pickup.command';
import { resetDigestTables, SEED_EXECS, SEED_SECRETS, seedKnownActions, seedKnownWeek } from '../../digest/seed';
import { EXEC_1, OUTSIDER, testEnv } from '../../helpers/config';
import { createTestDb, type TestDb } from '../../helpers/test-db';

/** The end of the seeded week plus a day: the last 7 days cover most of it. */
const NOW = new Date('2026-11-23T05:00:00Z');

/** A Slack port that fails loudly: `/pickup stats` answers through respond() and must not call Slack itself. */
const noSlack: SlackPort = {
  postMessage: () => Promise.reject(new Error('stats must not post')),
  updateMessage: () => Promise.reject(new Error('stats must not update')),
  postEphemeral: () => Promise.reject(new Error('stats must not post ephemerally')),
  uploadFile: () => Promise.reject(new Error('stats must not upload')),
  publishHome: () => Promise.reject(new Error('stats must not publish')),
  listUserGroupMembers: async () => [],
  findUserIdByEmail: () => Promise.reject(new Error('stats must not look people up')),
  getUserProfile: () => Promise.reject(new Error('stats must not look up profiles')),
  listUserGroups: () => Promise.reject(new Error('stats must not list user groups')),
  getChannelInfo: () => Promise.reject(new Error('stats must not look channels up')),
};

describe('/pickup stats', () => {
  let db: TestDb;
  let deps: SlackDeps;
  let settings: LiveSettings;
  let answers: RespondArguments[];
  const respond: RespondFn = async (message) => {
    answers.push(typeof message === 'string' ? { text: message } : message);
    return new Response(null);
  };
  const run = (userId: string, rest: string) => runSubcommand('stats', { deps, userId, rest, respond });
  const lastAnswer = () => {
    const answer = answers[answers.length - 1];
    if (!answer) throw new Error('no answer');
    return { ...answer, json: JSON.stringify(answer) };
  };

  beforeAll(async () => {
    db = await createTestDb();
    await resetDigestTables(db.db);
    await seedKnownActions(db.db, await seedKnownWeek(db.db));
    const logger = createLogger('silent');
    settings = await startLiveSettings({
      db: db.db,
      env: testEnv({ EXECUTIVES: `${SEED_EXECS.one},${SEED_EXECS.two}`, TIMEZONE: 'America/New_York' }),
      purpose: 'serve',
      logger,
      teamId: undefined,
    });
    const { config } = settings;
    deps = {
      db: db.db,
      config,
      settings,
      logger,
      roles: createRoles(config, { listUserGroupMembers: async () => [] }, logger),
      slack: noSlack,
      helpdesks: {},
      kickOutbox: () => {},
      now: () => NOW,
    };
  });
  beforeEach(() => {
    answers = [];
  });
  afterAll(async () => {
    await settings.stop();
    await db.close();
  });

  it('answers an executive ephemerally with the last 7 days by default', async () => {
    await run(EXEC_1, '');
    const answer = lastAnswer();
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Pickup, last 7 days: 4 received, 4 picked, 3 reached, 1 new advocate.');
    expect(answer.json).toContain('*Pickup, last 7 days*');
    expect(answer.json).toContain('Median pick → claim: 2 h');
    expect(answer.json).toContain('Median claim → first call: 13 h');
    expect(answer.json).toContain(`<@${SEED_EXECS.one}>: 2 claims · 4 calls · 3 reached · 1 advocate`);
    for (const secret of Object.values(SEED_SECRETS)) expect(answer.json).not.toContain(secret);
    expect(answers).toHaveLength(1);
  });

  it('counts the actions opened, done and overdue in the window, and the themes of its major complaints', async () => {
    await run(EXEC_1, '7d');
    const answer = lastAnswer();
    expect(answer.json).toContain('Actions: 4 opened · 1 done · 1 overdue');
    expect(answer.json).toContain('Top themes, in major complaints: Billing 3 · Delivery 1 · Support process 1');
    for (const secret of Object.values(SEED_SECRETS)) expect(answer.json).not.toContain(secret);
  });

  it('takes 30d and 90d, counting what the longer window adds', async () => {
    await run(EXEC_1, '30d');
    expect(lastAnswer().text).toBe('Pickup, last 30 days: 7 received, 5 picked, 3 reached, 2 new advocates.');
    await run(EXEC_1, '90D');
    expect(lastAnswer().text).toMatch(/^Pickup, last 90 days: 7 received, 5 picked/);
  });

  it('answers anything else with the usage, escaped', async () => {
    await run(EXEC_1, '<!channel>');
    const answer = lastAnswer();
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('Usage: `/pickup stats [7d|30d|90d]`');
    expect(answer.text).toContain('&lt;!channel&gt;');
    expect(answer.text).not.toContain('<!channel>');
  });

  it('refuses anyone who is not an executive, and tells them who is', async () => {
    const refusal = run(OUTSIDER, '7d');
    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({
      code: 'not_authorized',
      userMessage: expect.stringContaining(`<@${SEED_EXECS.one}>`),
    });
    expect(answers).toHaveLength(0);
  });
});
