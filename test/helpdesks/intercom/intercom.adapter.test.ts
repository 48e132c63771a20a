import { DEFAULT_ADAPTER_OPTIONS } from '../../../src/helpdesks/adapter';
import { intercomAdapter } from '../../../src/helpdesks/intercom/intercom.adapter';
import { ADAPTERS } from '../../../src/helpdesks/registry';
import {
  hubSignature,
  intercomConversation,
  intercomLegacyConversation,
  intercomTicket,
  NOW_MS,
  request,
} from '../payloads';

const SECRET = 'intercom-client-secret-5d2e';

function signed(body: unknown, secret = SECRET) {
  const req = request(body);
  return { ...req, headers: hubSignature('sha1', req.rawBody, secret) };
}

describe('intercomAdapter.verifySignature', () => {
  const body = intercomConversation();

  it('is the adapter registered for intercom', () => {
    expect(ADAPTERS.intercom).toBe(intercomAdapter);
  });

  it('accepts sha1=<hex HMAC-SHA1 of the raw body>', () => {
    expect(intercomAdapter.verifySignature(signed(body), SECRET, NOW_MS)).toBe(true);
  });

  it('rejects the wrong secret and a tampered body', () => {
    expect(intercomAdapter.verifySignature(signed(body, 'other'), SECRET, NOW_MS)).toBe(false);
    const good = signed(body);
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('not_priority', 'priority')) };
    expect(intercomAdapter.verifySignature(tampered, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a sha256 signature where Intercom uses sha1', () => {
    const req = request(body);
    expect(
      intercomAdapter.verifySignature({ ...req, headers: hubSignature('sha256', req.rawBody, SECRET) }, SECRET, NOW_MS),
    ).toBe(false);
  });

  it('rejects a missing header, and any request when no secret is set', () => {
    expect(intercomAdapter.verifySignature(request(body), SECRET, NOW_MS)).toBe(false);
    expect(intercomAdapter.verifySignature(signed(body, ''), '', NOW_MS)).toBe(false);
  });
});

describe('intercomAdapter.parse', () => {
  it('ignores the ping sent when the webhook is registered', () => {
    const ping = {
      type: 'notification_event',
      topic: 'ping',
      data: { type: 'notification_event_data', item: { type: 'ping', message: 'something' } },
    };
    expect(intercomAdapter.parse(ping, {})).toEqual({ kind: 'ignored', reason: 'ping' });
  });

  it.each(['contact.user.created', 'company.created', 'visitor.signed_up', 'conversation.deleted'])(
    'ignores %s',
    (topic) => {
      expect(intercomAdapter.parse(intercomConversation(topic), {})).toEqual({
        kind: 'ignored',
        reason: expect.stringContaining(topic),
      });
    },
  );

  it('maps conversation.user.created from the customer who wrote in', () => {
    expect(intercomAdapter.parse(intercomConversation(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: '215469134',
        subject: 'My order arrived broken & nobody has replied in 3 days.',
        description: "My order arrived broken & nobody has replied in 3 days.\nI'd like a call.",
        priority: 'normal',
        tags: ['vip'],
        customer: {
          name: 'Priya Raman',
          email: 'priya@example.org',
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        receivedAt: new Date(1795427940 * 1000),
        sourceUpdatedAt: new Date(1795427940 * 1000),
      },
    });
  });

  it('maps conversation.admin.assigned of an admin-started conversation, taking the customer from contacts', () => {
    const body = intercomConversation('conversation.admin.assigned', {
      title: 'Escalation: broken order #991',
      priority: 'priority',
      source: {
        type: 'email',
        subject: '<p>Following up</p>',
        body: '<p>Hi Priya, following up on your order.</p>',
        author: { type: 'admin', id: '814860', name: 'Tom (Support)', email: 'tom@shop.example.org' },
      },
      contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: '6543a1b2c3', external_id: 'cust_991' }] },
      tags: { type: 'tag.list', tags: [] },
    });
    expect(intercomAdapter.parse(body, {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: '215469134',
        subject: 'Escalation: broken order #991',
        description: 'Hi Priya, following up on your order.',
        priority: 'high',
        tags: [],
        customer: {
          name: 'Intercom contact 6543a1b2c3',
          email: undefined,
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        receivedAt: new Date(1795427940 * 1000),
        sourceUpdatedAt: new Date(1795427940 * 1000),
      },
    });
  });

  it('maps an API 1.x conversation: the person in `user`, the text in `conversation_message`', () => {
    expect(intercomAdapter.parse(intercomLegacyConversation(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: '1911149811',
        subject: 'The invoice portal rejects my card for the third time.',
        description: 'The invoice portal rejects my card for the third time.',
        priority: 'normal',
        tags: [],
        customer: {
          name: 'Wei Chen',
          email: 'wei.chen@example.org',
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        receivedAt: new Date(1795427940 * 1000),
        sourceUpdatedAt: new Date(1795427950 * 1000),
        assignee: { name: 'Alex Admin', email: 'alex.admin@shop.example.org' },
      },
    });
  });

  it('takes an API 1.x subject when there is one, and an honest name when `user` is a bare reference', () => {
    const body = intercomLegacyConversation('conversation.admin.assigned', {
      conversation_message: {
        type: 'conversation',
        subject: '<p>Card declined</p>',
        body: '<p>Hi Wei, we are looking into it.</p>',
        author: { type: 'admin', id: '814860' },
      },
      user: { type: 'lead', id: '5bc8f7421ffae2d96695c18a' },
    });
    const result = intercomAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint).toMatchObject({
      subject: 'Card declined',
      description: 'Hi Wei, we are looking into it.',
      customer: { name: 'Intercom contact 5bc8f7421ffae2d96695c18a' },
    });
  });

  it('maps ticket.created from the ticket attributes; a ticket has no priority, so it is not major by itself', () => {
    expect(intercomAdapter.parse(intercomTicket(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'intercom',
        externalId: '664',
        subject: 'Cannot log in since Monday',
        description: 'SSO loops back to the login page for our whole team.',
        priority: 'normal',
        tags: [],
        customer: {
          name: 'Intercom contact 6543a1b2c3',
          email: undefined,
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        receivedAt: new Date(1795427940 * 1000),
        sourceUpdatedAt: new Date(1795427945 * 1000),
      },
    });
  });

  it.each(['ticket.closed', 'ticket.admin.replied'])(
    'reads %s with the ticket nested one level deeper, in data.item.ticket',
    (topic) => {
      const result = intercomAdapter.parse(intercomTicket(topic, {}, { nested: true }), {});
      expect(result.kind === 'complaint' && result.complaint).toMatchObject({
        externalId: '664',
        subject: 'Cannot log in since Monday',
      });
    },
  );

  it('names bad fields of a nested ticket by the path they were sent at', () => {
    const result = intercomAdapter.parse(intercomTicket('ticket.closed', { id: null }, { nested: true }), {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path)).toEqual(['data.item.ticket.id']);
  });

  it('reads tags on a ticket, so MAJOR_TAGS apply to tickets too', () => {
    const body = intercomTicket('ticket.attribute.updated', {
      tags: { type: 'tag.list', tags: [{ type: 'tag', id: '81', name: 'Exec-Callback' }] },
    });
    const result = intercomAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.tags).toEqual(['exec-callback']);
  });

  describe('INTERCOM_MAJOR_TICKET_TYPES and INTERCOM_MAJOR_TICKET_ATTRIBUTES', () => {
    const withRules = (types: string[], attributes: { name: string; value: string | undefined }[]) => ({
      ...DEFAULT_ADAPTER_OPTIONS,
      intercom: { majorTicketTypes: types, majorTicketAttributes: attributes },
    });
    const vendorMajor = (body: unknown, options = withRules([], [])) => {
      const result = intercomAdapter.parse(body, {}, options);
      return result.kind === 'complaint' ? result.complaint.vendorMajor : `not a complaint: ${result.kind}`;
    };

    it('makes a ticket of a listed type major, by name (any case) or by id', () => {
      expect(vendorMajor(intercomTicket(), withRules(['bug REPORT'], []))).toBe(true);
      expect(vendorMajor(intercomTicket(), withRules(['7'], []))).toBe(true);
      expect(vendorMajor(intercomTicket(), withRules(['Feature request'], []))).toBeUndefined();
    });

    it('makes a ticket with a listed attribute value major (lists match any item; a bare name means true)', () => {
      expect(vendorMajor(intercomTicket(), withRules([], [{ name: 'severity', value: 'CRITICAL' }]))).toBe(true);
      expect(vendorMajor(intercomTicket(), withRules([], [{ name: 'Severity', value: 'Minor' }]))).toBeUndefined();
      expect(vendorMajor(intercomTicket(), withRules([], [{ name: 'Customer impact', value: 'login' }]))).toBe(true);
      const flagged = intercomTicket('ticket.attribute.updated', {
        ticket_attributes: { _default_title_: 'Cannot log in', 'Exec escalation': true },
      });
      const rule = withRules([], [{ name: 'Exec escalation', value: undefined }]);
      expect(vendorMajor(flagged, rule)).toBe(true);
      expect(vendorMajor(intercomTicket(), rule)).toBeUndefined();
    });

    it('ignores the rules for conversations, which have no ticket type', () => {
      expect(vendorMajor(intercomConversation(), withRules(['Bug report'], []))).toBeUndefined();
    });
  });

  it.each([
    ['priority', 'high'],
    ['not_priority', 'normal'],
    ['none', 'normal'],
    ['low', 'low'],
    ['Medium', 'normal'],
    ['HIGH', 'high'],
    ['urgent', 'urgent'],
  ] as const)('reads priority %s as %s', (priority, expected) => {
    const result = intercomAdapter.parse(intercomConversation('conversation.user.replied', { priority }), {});
    expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
  });

  it('names the bad fields by path', () => {
    const result = intercomAdapter.parse(
      intercomConversation('conversation.user.created', { id: null, created_at: 'yesterday' }),
      {},
    );
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual([
      'data.item.created_at',
      'data.item.id',
    ]);
  });

  it('reports a body without a topic or item', () => {
    const result = intercomAdapter.parse({ type: 'notification_event' }, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual(['data', 'topic']);
  });
});

describe('intercomAdapter.parse: the assignee', () => {
  const assigneeOf = (body: unknown) => {
    const result = intercomAdapter.parse(body, {});
    return result.kind === 'complaint' ? result.complaint.assignee : 'not a complaint';
  };

  it('is the assigned admin API 1.x names in `assignee`', () => {
    expect(assigneeOf(intercomLegacyConversation())).toEqual({
      name: 'Alex Admin',
      email: 'alex.admin@shop.example.org',
    });
  });

  it('is absent when a team or nobody holds the conversation', () => {
    expect(
      assigneeOf(intercomLegacyConversation(undefined, { assignee: { type: 'team', id: '55', name: 'Tier 2' } })),
    ).toBe(undefined);
    expect(assigneeOf(intercomLegacyConversation(undefined, { assignee: { type: 'nobody_admin', id: null } }))).toBe(
      undefined,
    );
  });

  it('is absent from API 2.x conversations, which give only admin_assignee_id', () => {
    expect(assigneeOf(intercomConversation(undefined, { admin_assignee_id: 814860 }))).toBeUndefined();
  });
});
