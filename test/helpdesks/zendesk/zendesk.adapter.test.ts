import { ADAPTERS } from '../../../src/helpdesks/registry';
import { ZENDESK_TRIGGER_BODY_TEMPLATE, zendeskAdapter } from '../../../src/helpdesks/zendesk/zendesk.adapter';
import { NOW_MS, renderTemplate, request, ZENDESK_TRIGGER_VALUES, zendeskEvent, zendeskHeaders } from '../payloads';

const SECRET = 'dGhpcyBpcyBhIHplbmRlc2sgc2VjcmV0';

function signed(body: unknown, timestamp?: string) {
  const req = request(body);
  return { ...req, headers: zendeskHeaders(req.rawBody, SECRET, timestamp) };
}

describe('zendeskAdapter.verifySignature', () => {
  const body = zendeskEvent();

  it('is the adapter registered for zendesk', () => {
    expect(ADAPTERS.zendesk).toBe(zendeskAdapter);
    expect(zendeskAdapter.source).toBe('zendesk');
  });

  it('accepts a correct signature over timestamp + raw body', () => {
    expect(zendeskAdapter.verifySignature(signed(body), SECRET, NOW_MS)).toBe(true);
  });

  it('accepts a timestamp exactly 5 minutes away', () => {
    expect(zendeskAdapter.verifySignature(signed(body, '2026-11-23T09:55:00Z'), SECRET, NOW_MS)).toBe(true);
    expect(zendeskAdapter.verifySignature(signed(body, '2026-11-23T10:05:00Z'), SECRET, NOW_MS)).toBe(true);
  });

  it('rejects a stale timestamp (replay) and one from the future', () => {
    expect(zendeskAdapter.verifySignature(signed(body, '2026-11-23T09:54:59Z'), SECRET, NOW_MS)).toBe(false);
    expect(zendeskAdapter.verifySignature(signed(body, '2026-11-23T10:05:01Z'), SECRET, NOW_MS)).toBe(false);
  });

  it('rejects an unparseable timestamp', () => {
    expect(zendeskAdapter.verifySignature(signed(body, 'yesterday'), SECRET, NOW_MS)).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(zendeskAdapter.verifySignature(signed(body), 'another-secret', NOW_MS)).toBe(false);
  });

  it('rejects an empty secret, even over a body signed with it', () => {
    const req = request(body);
    expect(zendeskAdapter.verifySignature({ ...req, headers: zendeskHeaders(req.rawBody, '') }, '', NOW_MS)).toBe(
      false,
    );
  });

  it('rejects a body changed after signing', () => {
    const good = signed(body);
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('HIGH', 'LOW')) };
    expect(zendeskAdapter.verifySignature(tampered, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a signature that is not the signature', () => {
    const good = signed(body);
    const headers = { ...good.headers, 'x-zendesk-webhook-signature': 'bm90IGEgc2lnbmF0dXJl' };
    expect(zendeskAdapter.verifySignature({ ...good, headers }, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a missing signature or timestamp header', () => {
    const good = signed(body);
    const { 'x-zendesk-webhook-signature': _sig, ...noSignature } = good.headers;
    const { 'x-zendesk-webhook-signature-timestamp': _ts, ...noTimestamp } = good.headers;
    expect(zendeskAdapter.verifySignature({ ...good, headers: noSignature }, SECRET, NOW_MS)).toBe(false);
    expect(zendeskAdapter.verifySignature({ ...good, headers: noTimestamp }, SECRET, NOW_MS)).toBe(false);
  });
});

describe('zendeskAdapter.parse: event subscription', () => {
  it('maps ticket.created, stripping the HTML description', () => {
    expect(zendeskAdapter.parse(zendeskEvent(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'zendesk',
        externalId: '5158',
        subject: 'Charged twice for one order',
        description: 'I was charged twice for order #4417.\nPlease call me & fix it.',
        priority: 'high',
        tags: ['billing', 'vip'],
        customer: { name: 'Zendesk requester 8447388090494' },
        receivedAt: new Date('2026-11-23T09:58:12Z'),
        sourceUpdatedAt: new Date('2026-11-23T09:58:12Z'),
      },
    });
  });

  it("dates an event by the ticket's updated_at, else by the event time", () => {
    const later = zendeskAdapter.parse(
      zendeskEvent('zen:event-type:ticket.priority_changed', { updated_at: '2026-11-25T08:00:00Z' }),
      {},
    );
    expect(later.kind === 'complaint' && later.complaint.sourceUpdatedAt).toEqual(new Date('2026-11-25T08:00:00Z'));
    const untimed = zendeskAdapter.parse(
      zendeskEvent('zen:event-type:ticket.priority_changed', { updated_at: null }),
      {},
    );
    expect(untimed.kind === 'complaint' && untimed.complaint.sourceUpdatedAt).toEqual(
      new Date('2026-11-23T09:58:12.641Z'),
    );
  });

  it('maps an update event (priority changed, numeric ids, no description, null priority)', () => {
    const body = zendeskEvent('zen:event-type:ticket.priority_changed', {
      id: 5158,
      priority: null,
      description: null,
      tags: [],
      requester_id: 8447388090494,
    });
    const result = zendeskAdapter.parse(body, {});
    expect(result).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'zendesk',
        externalId: '5158',
        subject: 'Charged twice for one order',
        description: undefined,
        priority: 'normal',
        tags: [],
        customer: { name: 'Zendesk requester 8447388090494' },
        receivedAt: new Date('2026-11-23T09:58:12Z'),
        sourceUpdatedAt: new Date('2026-11-23T09:58:12Z'),
      },
    });
  });

  it.each([
    'zen:event-type:user.created',
    'zen:event-type:organization.created',
    'zen:event-type:article.published',
    'zen:event-type:ticket.soft_deleted',
    'zen:event-type:ticket.marked_as_spam',
  ])('ignores %s', (type) => {
    const result = zendeskAdapter.parse(zendeskEvent(type), {});
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining(type) });
  });

  it('reports every bad field of a ticket event by path', () => {
    const body = zendeskEvent('zen:event-type:ticket.created', { subject: '', id: undefined, tags: 'vip' });
    const result = zendeskAdapter.parse(body, {});
    expect(result.kind).toBe('invalid');
    const paths = result.kind === 'invalid' ? result.issues.map((i) => i.path).sort() : [];
    expect(paths).toEqual(['detail.id', 'detail.subject', 'detail.tags']);
  });

  it('reports a missing detail', () => {
    const result = zendeskAdapter.parse({ type: 'zen:event-type:ticket.created' }, {});
    expect(result).toEqual({ kind: 'invalid', issues: [{ path: 'detail', message: expect.any(String) }] });
  });
});

describe('zendeskAdapter.parse: trigger body', () => {
  it('the template is valid JSON once Zendesk fills it, and maps every field', () => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, ZENDESK_TRIGGER_VALUES);
    expect(zendeskAdapter.parse(body, {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'zendesk',
        externalId: '5160',
        subject: 'Router "Pro X" dead after firmware update',
        description:
          "Alex Moreau, 23 Nov 2026, 09:59\nSince last night's update the router won't boot.\nOur whole office is offline.",
        priority: 'urgent',
        tags: ['hardware', 'exec-callback', 'firmware'],
        customer: {
          name: 'Alex Moreau',
          email: 'alex.moreau@example.fr',
          phone: '+33142685300',
          company: 'Moreau & Fils',
          timezone: undefined,
        },
        url: 'https://acme.zendesk.com/agent/tickets/5160',
        receivedAt: new Date('2026-11-23T09:59:30Z'),
        sourceUpdatedAt: new Date('2026-11-23T10:01:00Z'),
        assignee: { name: 'Sam Support', email: 'sam.support@acme.example' },
      },
    });
  });

  it('copes with what Zendesk renders for empty fields', () => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, {
      ...ZENDESK_TRIGGER_VALUES,
      'ticket.priority': '-',
      'ticket.tags': '',
      'ticket.requester.name': 'alex.moreau@example.fr',
      'ticket.requester.phone': '',
      'ticket.organization.name': '',
      'ticket.link': 'acme.zendesk.com/agent/tickets/5160',
      'ticket.created_at_with_timestamp': '',
      'ticket.updated_at_with_timestamp': '',
    });
    const result = zendeskAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint).toMatchObject({
      priority: 'normal',
      tags: [],
      // An address as the name would leak into channel posts; the vendor label stands in.
      customer: {
        name: 'Zendesk requester of ticket 5160',
        email: 'alex.moreau@example.fr',
        phone: undefined,
        company: undefined,
      },
      url: 'https://acme.zendesk.com/agent/tickets/5160',
      receivedAt: undefined,
      sourceUpdatedAt: undefined,
    });
  });

  it('drops a malformed phone and email instead of failing', () => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, {
      ...ZENDESK_TRIGGER_VALUES,
      'ticket.requester.email': 'not-an-email',
      'ticket.requester.phone': 'call me maybe',
    });
    const result = zendeskAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.customer).toEqual({
      name: 'Alex Moreau',
      email: undefined,
      phone: undefined,
      company: 'Moreau & Fils',
      timezone: undefined,
    });
  });

  it.each([
    ['Urgent', 'urgent'],
    ['HIGH', 'high'],
    ['normal', 'normal'],
    ['Low', 'low'],
  ] as const)('reads priority %s as %s', (rendered, expected) => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, {
      ...ZENDESK_TRIGGER_VALUES,
      'ticket.priority': rendered,
    });
    const result = zendeskAdapter.parse(body, {});
    expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
  });

  it('names the missing fields of a half-configured trigger', () => {
    const result = zendeskAdapter.parse({ ticket: { id: '', description: 'x' } }, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual(['ticket.id', 'ticket.title']);
  });

  it('answers invalid (never throws) for a body that is not an object', () => {
    for (const body of [null, 42, 'text', []]) {
      expect(zendeskAdapter.parse(body, {}).kind).toBe('invalid');
    }
  });
});

describe('zendeskAdapter.parse: the assignee', () => {
  const assigneeOf = (body: unknown) => {
    const result = zendeskAdapter.parse(body, {});
    return result.kind === 'complaint' ? result.complaint.assignee : 'not a complaint';
  };

  it('comes from the trigger body’s {{ticket.assignee.*}} placeholders, the email lowercased', () => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, ZENDESK_TRIGGER_VALUES);
    expect(assigneeOf(body)).toEqual({ name: 'Sam Support', email: 'sam.support@acme.example' });
  });

  it('is absent for an unassigned ticket, whose placeholders render empty', () => {
    const body = renderTemplate(ZENDESK_TRIGGER_BODY_TEMPLATE, {
      ...ZENDESK_TRIGGER_VALUES,
      'ticket.assignee.name': '',
      'ticket.assignee.email': '',
    });
    expect(assigneeOf(body)).toBeUndefined();
  });

  it('is absent from event subscriptions, which carry only the assignee’s id', () => {
    expect(assigneeOf(zendeskEvent('zen:event-type:ticket.created', { assignee_id: '8447388090999' }))).toBeUndefined();
  });
});
