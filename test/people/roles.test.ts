import { createLogger } from '../../src/logger';
import { createRoles, type Roles } from '../../src/people/roles';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { EXEC_1, EXEC_2, EXEC_GROUP, EXEC_IN_GROUP, LEAD_1, OUTSIDER } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';

/** How long createRoles trusts a user group's member list (GROUP_CACHE_MS in roles.ts). */
const CACHE_MS = 5 * 60_000;
const LATER_MEMBER = 'UEXEC0009';

/** Roles as main.ts wires them: the real Slack port over HTTP to the fake Slack, with a clock the test moves. */
function rolesOn(slack: FakeSlack) {
  let now = 1_000_000;
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('warn', {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const port = createSlackPort(createWebClient('xoxb-test', slack.url, createLogger('silent')));
  const roles: Roles = createRoles(
    { executives: [EXEC_1, EXEC_2, EXEC_GROUP], supportLeads: [LEAD_1] },
    port,
    logger,
    () => now,
  );
  return { roles, lines, advance: (ms: number) => (now += ms) };
}

const groupLookups = (slack: FakeSlack) => slack.callsTo('usergroups.users.list');

describe('createRoles: who may act, from user IDs and user groups', () => {
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());
  beforeEach(() => {
    slack.reset();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
  });

  it('knows listed users without asking Slack, and refuses everyone else', async () => {
    const { roles } = rolesOn(slack);
    expect(await roles.isSupportLead(LEAD_1)).toBe(true);
    expect(await roles.isSupportLead(EXEC_1)).toBe(false);
    expect(groupLookups(slack)).toHaveLength(0);
    expect(await roles.isExecutive(EXEC_1)).toBe(true);
    expect(await roles.isExecutive(OUTSIDER)).toBe(false);
  });

  it('expands a user group through usergroups.users.list', async () => {
    const { roles } = rolesOn(slack);
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    expect(groupLookups(slack).map((c) => c.args.usergroup)).toEqual([EXEC_GROUP]);
    expect(await roles.listExecutives()).toEqual([EXEC_1, EXEC_2, EXEC_IN_GROUP]);
    expect(await roles.listSupportLeads()).toEqual([LEAD_1]);
  });

  it('lists a user named both directly and through a group once', async () => {
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP, EXEC_1]);
    const { roles } = rolesOn(slack);
    expect(await roles.listExecutives()).toEqual([EXEC_1, EXEC_2, EXEC_IN_GROUP]);
  });

  it('asks Slack once per group while the cache holds, and again once it has expired', async () => {
    const { roles, advance } = rolesOn(slack);
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    slack.setUserGroup(EXEC_GROUP, [LATER_MEMBER]);
    advance(CACHE_MS - 1);
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    expect(await roles.isExecutive(LATER_MEMBER)).toBe(false);
    expect(groupLookups(slack)).toHaveLength(1);

    advance(1);
    expect(await roles.isExecutive(LATER_MEMBER)).toBe(true);
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(false);
    expect(groupLookups(slack)).toHaveLength(2);
  });

  it.each([
    ['HTTP 500', { status: 500 } as const],
    ['a platform error', { error: 'missing_scope' } as const],
    ['a connection reset', { reset: true } as const],
  ])(
    'refuses a group member when Slack cannot be asked and nothing is cached (%s), and says so in the log',
    async (_label, failure) => {
      slack.failNext('usergroups.users.list', 1, failure);
      const { roles, lines } = rolesOn(slack);
      expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(false);
      expect(lines).toEqual([
        expect.objectContaining({ msg: 'could not list user group members', groupId: EXEC_GROUP }),
      ]);
      // Listed users are unaffected: they never needed Slack.
      expect(await roles.isExecutive(EXEC_1)).toBe(true);
      // The outage is not cached: the next question asks Slack again and lets the member in.
      expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    },
  );

  it('leaves an outage’s group out of the executives it lists, rather than failing the list', async () => {
    slack.failNext('usergroups.users.list', 1, { status: 500 });
    const { roles } = rolesOn(slack);
    expect(await roles.listExecutives()).toEqual([EXEC_1, EXEC_2]);
  });

  it('keeps using the last list it had when Slack fails after the cache expired', async () => {
    const { roles, advance, lines } = rolesOn(slack);
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    advance(CACHE_MS);
    slack.failNext('usergroups.users.list', 1, { status: 500 });
    expect(await roles.isExecutive(EXEC_IN_GROUP)).toBe(true);
    expect(groupLookups(slack)).toHaveLength(2);
    expect(lines).toHaveLength(1);
  });

  it('describes the configured entries as mentions, groups as subteams', () => {
    const { roles } = rolesOn(slack);
    expect(roles.describeExecutives()).toBe(`<@${EXEC_1}>, <@${EXEC_2}>, <!subteam^${EXEC_GROUP}>`);
    expect(roles.describeSupportLeads()).toBe(`<@${LEAD_1}>`);
  });
});
