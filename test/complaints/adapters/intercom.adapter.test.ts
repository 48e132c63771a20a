import { ADAPTERS } from '../../../src/complaints/adapters/adapter';
import { intercomAdapter } from '../../../src/complaints/adapters/intercom.adapter';
import { hubSignature, intercomConversation, NOW_MS, request } from './payloads';

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
      },
    });
  });

  it('maps ticket.created from the ticket attributes', () => {
    const body = intercomConversation('ticket.created', {
      type: 'ticket',
      id: '664',
      source: undefined,
      priority: undefined,
      ticket_attributes: {
        _default_title_: 'Cannot log in since Monday',
        _default_description_: 'SSO loops back to the login page.',
      },
    });
    const result = intercomAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint).toMatchObject({
      externalId: '664',
      subject: 'Cannot log in since Monday',
      description: 'SSO loops back to the login page.',
      priority: 'normal',
      customer: { name: 'Intercom contact 6543a1b2c3' },
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
