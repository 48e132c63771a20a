import { createLogger } from '../../src/logger';
import { createRoles, type Roles } from '../../src/people/roles';
import { DomainError } from '../../src/shared/errors';
import { assertRole, type Role, requireRole, requireRoleInModal } from '../../src/slack/role.middleware';
import { EXEC_1, EXEC_2, EXEC_GROUP, EXEC_IN_GROUP, LEAD_1, OUTSIDER } from '../helpers/config';

const LISTS = { executives: [EXEC_1, EXEC_2, EXEC_GROUP], supportLeads: [LEAD_1] };

/** Roles over the test lists; `groupsDown` makes every user group lookup fail, as in a Slack outage. */
function rolesFor(groupsDown = false): Roles {
  return createRoles(
    LISTS,
    {
      listUserGroupMembers: async (groupId) => {
        if (groupsDown) throw new Error('slack unreachable');
        return groupId === EXEC_GROUP ? [EXEC_IN_GROUP] : [];
      },
    },
    createLogger('silent'),
  );
}

/** What a listener middleware is handed, recording whether it acked and whether it let the listener run. */
function recorder() {
  const seen: { acks: unknown[]; nextCalls: number } = { acks: [], nextCalls: 0 };
  const ack = async (response?: unknown) => {
    seen.acks.push(response);
  };
  const next = async () => {
    seen.nextCalls += 1;
  };
  return { seen, ack, next };
}

// The two shapes of "who acted": interactive payloads carry user.id, slash commands user_id.
const button = (userId: string) => ({ type: 'block_actions', user: { id: userId } });
const command = (userId: string) => ({ command: '/escalate', user_id: userId });

describe('requireRole (commands, buttons, shortcuts)', () => {
  const scenarios: {
    name: string;
    role: Role;
    body: { user?: { id: string }; user_id?: string };
    groupsDown?: boolean;
    refusal?: RegExp;
  }[] = [
    { name: 'an executive listed by id', role: 'executive', body: button(EXEC_1) },
    { name: "an executive through a user group's members", role: 'executive', body: button(EXEC_IN_GROUP) },
    {
      name: 'someone on neither list',
      role: 'executive',
      body: button(OUTSIDER),
      refusal: new RegExp(
        `^Only executives can claim calls\\. Executives: <@${EXEC_1}>, <@${EXEC_2}>, <!subteam\\^${EXEC_GROUP}>\\.$`,
      ),
    },
    {
      name: 'a support lead, who is not an executive',
      role: 'executive',
      body: button(LEAD_1),
      refusal: /^Only executives can claim calls\./,
    },
    {
      name: 'a group member while the group cannot be listed (outage refuses, never grants)',
      role: 'executive',
      body: button(EXEC_IN_GROUP),
      groupsDown: true,
      refusal: /^Only executives can claim calls\./,
    },
    {
      name: 'an executive listed by id, during the same outage',
      role: 'executive',
      body: button(EXEC_1),
      groupsDown: true,
    },
    { name: 'a support lead on a slash command (user_id)', role: 'supportLead', body: command(LEAD_1) },
    {
      name: 'an executive on a support lead command',
      role: 'supportLead',
      body: command(EXEC_1),
      refusal: new RegExp(`^Only support leads can claim calls\\. .*ask one of <@${LEAD_1}>\\.$`),
    },
    {
      name: 'a payload that names nobody',
      role: 'supportLead',
      body: {},
      refusal: /^Only support leads can claim calls\./,
    },
  ];

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { seen, ack, next } = recorder();
    const middleware = requireRole(rolesFor(scenario.groupsDown), scenario.role, 'claim calls');
    const run = middleware({ body: scenario.body, ack, next });

    if (scenario.refusal) {
      await expect(run).rejects.toBeInstanceOf(DomainError);
      await expect(run).rejects.toMatchObject({
        code: 'not_authorized',
        userMessage: expect.stringMatching(scenario.refusal),
      });
      // Acked, so Slack does not retry or show a timeout; the error handler answers the person.
      expect(seen.acks).toEqual([undefined]);
      expect(seen.nextCalls).toBe(0);
    } else {
      await run;
      // The listener acks for itself: a second ack would be an error in HTTP mode.
      expect(seen.acks).toEqual([]);
      expect(seen.nextCalls).toBe(1);
    }
  });

  it('passes on an error that is not a refusal, still acked', async () => {
    const broken: Roles = { ...rolesFor(), isExecutive: () => Promise.reject(new Error('boom')) };
    const { seen, ack, next } = recorder();
    await expect(requireRole(broken, 'executive', 'claim calls')({ body: button(EXEC_1), ack, next })).rejects.toThrow(
      'boom',
    );
    expect(seen.acks).toEqual([undefined]);
    expect(seen.nextCalls).toBe(0);
  });
});

describe('requireRoleInModal (view submissions)', () => {
  const scenarios: { name: string; userId: string; refusal?: RegExp }[] = [
    { name: 'a support lead', userId: LEAD_1 },
    { name: 'an executive', userId: EXEC_1, refusal: /^Only support leads can escalate to Pickup\./ },
    { name: 'someone on neither list', userId: OUTSIDER, refusal: /^Only support leads can escalate to Pickup\./ },
  ];

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { seen, ack, next } = recorder();
    const middleware = requireRoleInModal(rolesFor(), 'supportLead', 'escalate to Pickup', 'subject');
    await middleware({ body: { user: { id: scenario.userId } }, ack, next });

    if (scenario.refusal) {
      // The open modal can only be reached through the ack: the refusal shows under the named input.
      expect(seen.acks).toEqual([
        { response_action: 'errors', errors: { subject: expect.stringMatching(scenario.refusal) } },
      ]);
      expect(seen.nextCalls).toBe(0);
    } else {
      expect(seen.acks).toEqual([]);
      expect(seen.nextCalls).toBe(1);
    }
  });
});

describe('assertRole', () => {
  it('resolves for a holder and throws the refusal for anyone else', async () => {
    await expect(assertRole(rolesFor(), 'executive', EXEC_2, 'see the queue')).resolves.toBeUndefined();
    await expect(assertRole(rolesFor(), 'executive', OUTSIDER, 'see the queue')).rejects.toMatchObject({
      code: 'not_authorized',
      userMessage: expect.stringMatching(/^Only executives can see the queue\. Executives: /),
    });
  });
});

describe('refusals on a first run, before anyone holds the role', () => {
  const empty = createRoles(
    { executives: [], supportLeads: [] },
    { listUserGroupMembers: async () => [] },
    createLogger('silent'),
  );

  it.each<[Role, string]>([
    [
      'executive',
      "Only executives can see the queue, and none are set yet: an admin can add them in Pickup's App Home.",
    ],
    [
      'supportLead',
      "Only support leads can see the queue, and none are set yet: an admin can add them in Pickup's App Home.",
    ],
  ])('%s: says nobody is set yet and where an admin sets them', async (role, message) => {
    await expect(assertRole(empty, role, OUTSIDER, 'see the queue')).rejects.toMatchObject({
      code: 'not_authorized',
      userMessage: message,
    });
  });
});
