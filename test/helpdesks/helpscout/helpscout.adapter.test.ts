import { helpScoutAdapter } from '../../../src/helpdesks/helpscout/helpscout.adapter';
import { ADAPTERS } from '../../../src/helpdesks/registry';
import { helpScoutConversation, helpScoutHeaders, helpScoutLegacyConversation, NOW_MS, request } from '../payloads';

const SECRET = 'helpscout-secret-a71c';
const event = (name: string) => ({ 'x-helpscout-event': name });

function signed(body: unknown, secret = SECRET) {
  const req = request(body);
  return { ...req, headers: helpScoutHeaders(req.rawBody, secret) };
}

describe('helpScoutAdapter.verifySignature', () => {
  const body = helpScoutConversation();

  it('is the adapter registered for helpscout', () => {
    expect(ADAPTERS.helpscout).toBe(helpScoutAdapter);
  });

  it('accepts base64(HMAC-SHA1 of the raw body)', () => {
    expect(helpScoutAdapter.verifySignature(signed(body), SECRET, NOW_MS)).toBe(true);
  });

  it('rejects the wrong secret and a tampered body', () => {
    expect(helpScoutAdapter.verifySignature(signed(body, 'other'), SECRET, NOW_MS)).toBe(false);
    const good = signed(body);
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('Marcus', 'Mallory')) };
    expect(helpScoutAdapter.verifySignature(tampered, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a missing header, and any request when no secret is set', () => {
    expect(helpScoutAdapter.verifySignature(request(body, event('convo.created')), SECRET, NOW_MS)).toBe(false);
    expect(helpScoutAdapter.verifySignature(signed(body, ''), '', NOW_MS)).toBe(false);
  });
});

describe('helpScoutAdapter.parse', () => {
  it("maps a v2 convo.created: primaryCustomer, `threads` as a count, the customer's first message from _embedded", () => {
    expect(helpScoutAdapter.parse(helpScoutConversation(), event('convo.created'))).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'helpscout',
        externalId: '2391938111',
        subject: 'Refund still missing after 3 weeks',
        description: 'I was promised a refund on 3 Nov.\nStill nothing.',
        priority: 'normal',
        tags: ['vip'],
        customer: {
          name: 'Marcus Okafor',
          email: 'marcus.okafor@example.net',
          // A v2 primaryCustomer carries no phone.
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        url: 'https://secure.helpscout.net/conversation/2391938111/349',
        receivedAt: new Date('2026-11-23T09:57:00Z'),
        // The latest of userUpdatedAt and customerWaitingSince.time.
        sourceUpdatedAt: new Date('2026-11-23T09:58:00Z'),
        assignee: { name: 'Sam Support', email: 'sam@shop.example.net' },
      },
    });
  });

  it('maps the legacy shape too: customer.firstName/lastName with a phone, threads as a list, string tags', () => {
    expect(helpScoutAdapter.parse(helpScoutLegacyConversation(), event('convo.created'))).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'helpscout',
        externalId: '2391938111',
        subject: 'Refund still missing after 3 weeks',
        description: 'I was promised a refund on 3 Nov.\nStill nothing.',
        priority: 'normal',
        tags: ['vip'],
        customer: {
          name: 'Marcus Okafor',
          email: 'marcus.okafor@example.net',
          phone: '+442079460018',
          company: undefined,
          timezone: undefined,
        },
        url: undefined,
        receivedAt: new Date('2026-11-23T09:57:00Z'),
        sourceUpdatedAt: new Date('2026-11-23T09:58:30Z'),
      },
    });
  });

  it('maps a v2 convo.tags without embedded threads, link or name: the preview and an honest name stand in', () => {
    const body = helpScoutConversation({
      tags: [
        { id: 1, color: '#fff', tag: 'Exec-Callback' },
        { id: 2, color: '#fff', tag: 'refunds' },
      ],
      _embedded: undefined,
      _links: undefined,
      primaryCustomer: { id: 29418, type: 'customer', email: 'marcus.okafor@example.net' },
    });
    expect(helpScoutAdapter.parse(body, event('convo.tags'))).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'helpscout',
        externalId: '2391938111',
        subject: 'Refund still missing after 3 weeks',
        description: 'I was promised a refund on 3 Nov. Still nothing.',
        priority: 'normal',
        tags: ['exec-callback', 'refunds'],
        customer: {
          name: 'Help Scout customer of conversation 349',
          email: 'marcus.okafor@example.net',
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        url: undefined,
        receivedAt: new Date('2026-11-23T09:57:00Z'),
        sourceUpdatedAt: new Date('2026-11-23T09:58:00Z'),
        assignee: { name: 'Sam Support', email: 'sam@shop.example.net' },
      },
    });
  });

  it('gives a chat without a subject a recognisable one', () => {
    const result = helpScoutAdapter.parse(
      helpScoutConversation({ subject: null, type: 'chat' }),
      event('convo.created'),
    );
    expect(result.kind === 'complaint' && result.complaint.subject).toBe('Help Scout conversation 349');
  });

  it.each(['convo.assigned', 'convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created'])(
    'maps %s',
    (name) => {
      expect(helpScoutAdapter.parse(helpScoutConversation(), event(name)).kind).toBe('complaint');
    },
  );

  it.each(['satisfaction.ratings', 'customer.created', 'tag.created', 'convo.deleted'])('ignores %s', (name) => {
    expect(helpScoutAdapter.parse(helpScoutConversation(), event(name))).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining(name),
    });
  });

  it('reports a missing event header instead of guessing', () => {
    expect(helpScoutAdapter.parse(helpScoutConversation(), {})).toEqual({
      kind: 'invalid',
      issues: [{ path: 'headers.x-helpscout-event', message: 'is required' }],
    });
  });

  it('names the bad fields by path', () => {
    const result = helpScoutAdapter.parse(
      helpScoutConversation({ id: undefined, tags: [{ color: '#fff' }] }),
      event('convo.created'),
    );
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual(['id', 'tags.0']);
  });
});

describe('helpScoutAdapter.parse: the assignee', () => {
  const assigneeOf = (body: unknown) => {
    const result = helpScoutAdapter.parse(body, event('convo.assigned'));
    return result.kind === 'complaint' ? result.complaint.assignee : 'not a complaint';
  };

  it('is the v2 `assignee` user: first and last name, and email', () => {
    expect(assigneeOf(helpScoutConversation())).toEqual({ name: 'Sam Support', email: 'sam@shop.example.net' });
  });

  it('is the legacy `owner` Person', () => {
    const owner = { id: 99, firstName: 'Sam', lastName: 'Support', email: 'sam@shop.example.net', type: 'user' };
    expect(assigneeOf(helpScoutLegacyConversation({ owner }))).toEqual({
      name: 'Sam Support',
      email: 'sam@shop.example.net',
    });
  });

  it('is absent for an unassigned conversation', () => {
    expect(assigneeOf(helpScoutConversation({ assignee: undefined }))).toBeUndefined();
    expect(assigneeOf(helpScoutLegacyConversation())).toBeUndefined();
  });
});
