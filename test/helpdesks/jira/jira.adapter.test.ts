import { DEFAULT_ADAPTER_OPTIONS } from '../../../src/helpdesks/adapter';
import { jiraAdapter } from '../../../src/helpdesks/jira/jira.adapter';
import { ADAPTERS } from '../../../src/helpdesks/registry';
import { hubSignature, jiraIssueCreated, jiraIssueUpdated, NOW_MS, request } from '../payloads';

const SECRET = 'jira-webhook-secret-98f1';

function signed(body: unknown, secret = SECRET) {
  const req = request(body);
  return { ...req, headers: hubSignature('sha256', req.rawBody, secret) };
}

describe('jiraAdapter.verifySignature', () => {
  const body = jiraIssueCreated();

  it('is the adapter registered for jira', () => {
    expect(ADAPTERS.jira).toBe(jiraAdapter);
  });

  it('accepts sha256=<hex HMAC of the raw body>', () => {
    expect(jiraAdapter.verifySignature(signed(body), SECRET, NOW_MS)).toBe(true);
  });

  it('verifies the bytes as sent, not a re-serialisation', () => {
    const raw = '{ "webhookEvent" : "jira:issue_created" }';
    expect(jiraAdapter.verifySignature(signed(raw), SECRET, NOW_MS)).toBe(true);
  });

  it('rejects the wrong secret', () => {
    expect(jiraAdapter.verifySignature(signed(body, 'other'), SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a tampered body', () => {
    const good = signed(body);
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('High', 'Low')) };
    expect(jiraAdapter.verifySignature(tampered, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a signature with the wrong algorithm prefix', () => {
    const req = request(body);
    const sha1 = { ...req, headers: hubSignature('sha1', req.rawBody, SECRET) };
    expect(jiraAdapter.verifySignature(sha1, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a missing header, and any request when no secret is set', () => {
    expect(jiraAdapter.verifySignature(request(body), SECRET, NOW_MS)).toBe(false);
    expect(jiraAdapter.verifySignature(signed(body, ''), '', NOW_MS)).toBe(false);
  });
});

describe('jiraAdapter.parse', () => {
  it('maps jira:issue_created, reading the ADF description and building the browse link', () => {
    expect(jiraAdapter.parse(jiraIssueCreated(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'jira',
        externalId: 'SUP-12',
        subject: 'Data export has been failing for a week',
        description: 'Every nightly export fails with E502.\n- Started 16 Nov\n- Finance is blocked\nThanks,\nDana',
        priority: 'high',
        tags: ['vip', 'exports'],
        customer: {
          name: 'Dana Whitfield',
          email: 'dana.whitfield@example.com',
          phone: undefined,
          company: undefined,
          timezone: 'America/Chicago',
        },
        url: 'https://acme.atlassian.net/browse/SUP-12',
        receivedAt: new Date('2026-11-23T09:59:15.120Z'),
        sourceUpdatedAt: new Date(1795427955000),
        assignee: { name: 'Support Agent', email: 'support.agent@acme.example' },
      },
    });
  });

  it("maps jira:issue_updated by an agent, without taking the agent's time zone for the customer's", () => {
    expect(jiraAdapter.parse(jiraIssueUpdated(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'jira',
        externalId: 'SUP-12',
        subject: 'Data export has been failing for a week',
        description: 'Plain wiki text: exports *still* failing.',
        priority: 'urgent',
        tags: [],
        customer: {
          name: 'Dana Whitfield',
          email: 'dana.whitfield@example.com',
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        url: 'https://acme.atlassian.net/browse/SUP-12',
        receivedAt: new Date('2026-11-23T09:59:15.120Z'),
        sourceUpdatedAt: new Date(1795428555000),
        assignee: { name: 'Support Agent', email: 'support.agent@acme.example' },
      },
    });
  });

  it("dates the delivery by the event `timestamp`, else by the issue's `updated` field", () => {
    const { timestamp: _t, ...untimed } = jiraIssueUpdated();
    const result = jiraAdapter.parse(untimed, {});
    expect(result.kind === 'complaint' && result.complaint.sourceUpdatedAt).toEqual(
      new Date('2026-11-23T10:09:15.000Z'),
    );
  });

  it("prefers the reporter's own time zone when the payload has it", () => {
    const body = jiraIssueUpdated();
    body.issue.fields.reporter = {
      ...body.issue.fields.reporter,
      timeZone: 'Australia/Sydney',
    } as typeof body.issue.fields.reporter;
    const result = jiraAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.customer.timezone).toBe('Australia/Sydney');
  });

  it('survives a hostile, deeply nested description', () => {
    let description: unknown = { type: 'text', text: 'deep' };
    for (let i = 0; i < 100_000; i++) description = { type: 'paragraph', content: [description] };
    const body = jiraIssueCreated();
    const fields = { ...body.issue.fields, description };
    const result = jiraAdapter.parse({ ...body, issue: { ...body.issue, fields } }, {});
    expect(result.kind === 'complaint' && result.complaint.description).toBeUndefined();
  });

  it('keeps a Jira Server context path in the browse link', () => {
    const body = jiraIssueCreated();
    body.issue.self = 'https://support.acme.com/jira/rest/api/2/issue/10042';
    const result = jiraAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.url).toBe('https://support.acme.com/jira/browse/SUP-12');
  });

  it('falls back to an honest name when there is no reporter', () => {
    const body = { ...jiraIssueCreated(), user: null };
    body.issue.fields = { ...body.issue.fields, reporter: null } as unknown as typeof body.issue.fields;
    const result = jiraAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.customer).toEqual({
      name: 'Jira reporter of SUP-12',
      email: undefined,
      phone: undefined,
      company: undefined,
      timezone: undefined,
    });
  });

  it.each([
    [{ id: '1', name: 'Highest' }, 'urgent'],
    [{ id: '2', name: 'HIGH' }, 'high'],
    [{ id: '3', name: 'Medium' }, 'normal'],
    [{ id: '4', name: 'low' }, 'low'],
    [{ id: '5', name: 'Lowest' }, 'low'],
    [{ id: '1' }, 'urgent'],
    [{ id: '4' }, 'low'],
    [null, 'normal'],
    // The classic scheme many Server, Data Center and migrated Cloud sites still use
    [{ id: '1', name: 'Blocker' }, 'urgent'],
    [{ id: '2', name: 'Critical' }, 'urgent'],
    [{ id: '3', name: 'Major' }, 'high'],
    [{ id: '4', name: 'Minor' }, 'low'],
    [{ id: '5', name: 'Trivial' }, 'low'],
    // Ids vary per site (Atlassian's own priority sample lists "Major" with id 1): a known name wins over the id
    [{ id: '1', name: 'Major' }, 'high'],
    // A renamed default keeps its id
    [{ id: '2', name: 'P2 - Soon' }, 'high'],
    [{ id: '10001', name: 'P1 - Drop everything' }, 'normal'],
  ] as const)('reads priority %p as %s', (priority, expected) => {
    const body = jiraIssueCreated();
    const fields = { ...body.issue.fields, priority };
    const result = jiraAdapter.parse({ ...body, issue: { ...body.issue, fields } }, {});
    expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
  });

  describe("with the operator's priority names (JIRA_URGENT_PRIORITIES, JIRA_HIGH_PRIORITIES)", () => {
    const options = {
      ...DEFAULT_ADAPTER_OPTIONS,
      jira: { urgentPriorities: ['P1 - Drop everything', '10002'], highPriorities: ['p2 - soon', 'Medium'] },
    };
    it.each([
      [{ id: '10001', name: 'P1 - Drop everything' }, 'urgent'],
      [{ id: '10002', name: 'Sev A' }, 'urgent'],
      [{ id: '10003', name: 'P2 - SOON' }, 'high'],
      // The operator may raise one of Jira's own names too
      [{ id: '3', name: 'Medium' }, 'high'],
      // Jira's own names still apply
      [{ id: '1', name: 'Blocker' }, 'urgent'],
      [{ id: '10009', name: 'P3' }, 'normal'],
    ] as const)('reads %p as %s', (priority, expected) => {
      const body = jiraIssueCreated();
      const fields = { ...body.issue.fields, priority };
      const result = jiraAdapter.parse({ ...body, issue: { ...body.issue, fields } }, {}, options);
      expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
    });
  });

  it.each(['comment_created', 'jira:issue_deleted', 'jira:worklog_updated', 'sprint_started'])(
    'ignores %s',
    (event) => {
      const result = jiraAdapter.parse({ ...jiraIssueCreated(), webhookEvent: event }, {});
      expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining(event) });
    },
  );

  it('names the bad fields by path', () => {
    const body = jiraIssueCreated();
    const fields = { ...body.issue.fields, summary: '  ', labels: 'vip' };
    const result = jiraAdapter.parse({ ...body, issue: { ...body.issue, key: undefined, fields } }, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual([
      'issue.fields.labels',
      'issue.fields.summary',
      'issue.key',
    ]);
  });

  it('reports a missing webhookEvent instead of guessing', () => {
    const { webhookEvent: _event, ...body } = jiraIssueCreated();
    const result = jiraAdapter.parse(body, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path)).toEqual(['webhookEvent']);
  });
});

describe('jiraAdapter.parse: the assignee', () => {
  const assigneeOf = (body: unknown) => {
    const result = jiraAdapter.parse(body, {});
    return result.kind === 'complaint' ? result.complaint.assignee : 'not a complaint';
  };
  const withAssignee = (assignee: unknown) => {
    const body = jiraIssueCreated();
    return { ...body, issue: { ...body.issue, fields: { ...body.issue.fields, assignee } } };
  };

  it('is the issue’s assignee: display name and, when the profile shares it, email', () => {
    expect(assigneeOf(jiraIssueCreated())).toEqual({ name: 'Support Agent', email: 'support.agent@acme.example' });
  });

  it('is the name alone when Atlassian hides the email', () => {
    expect(assigneeOf(withAssignee({ accountId: '5b10', displayName: 'Support Agent' }))).toEqual({
      name: 'Support Agent',
      email: undefined,
    });
  });

  it('is absent when the issue is unassigned (assignee null)', () => {
    expect(assigneeOf(withAssignee(null))).toBeUndefined();
  });
});
