import { FRESHDESK_BODY_TEMPLATE, freshdeskAdapter } from '../../../src/helpdesks/freshdesk/freshdesk.adapter';
import { ADAPTERS } from '../../../src/helpdesks/registry';
import { FRESHDESK_VALUES, freshdeskFlat, NOW_MS, renderTemplate, request } from '../payloads';

const SECRET = 'fd-shared-secret-7Q2x';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
const envelope = (values: Record<string, string> = {}) =>
  renderTemplate(FRESHDESK_BODY_TEMPLATE, { ...FRESHDESK_VALUES, ...values });

describe('freshdeskAdapter.verifySignature (shared secret: Freshdesk cannot sign)', () => {
  const body = envelope();

  it('is the adapter registered for freshdesk', () => {
    expect(ADAPTERS.freshdesk).toBe(freshdeskAdapter);
  });

  it('accepts the secret in X-Pickup-Secret', () => {
    expect(freshdeskAdapter.verifySignature(request(body, { 'x-pickup-secret': SECRET }), SECRET, NOW_MS)).toBe(true);
  });

  it('accepts the secret as the basic-auth password, whatever the user name', () => {
    for (const user of ['freshdesk', '', 'pickup@acme.com']) {
      const req = request(body, { authorization: basic(`${user}:${SECRET}`) });
      expect(freshdeskAdapter.verifySignature(req, SECRET, NOW_MS)).toBe(true);
    }
  });

  it('rejects a wrong secret in either place', () => {
    expect(freshdeskAdapter.verifySignature(request(body, { 'x-pickup-secret': 'guess' }), SECRET, NOW_MS)).toBe(false);
    const req = request(body, { authorization: basic('freshdesk:guess') });
    expect(freshdeskAdapter.verifySignature(req, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects the secret as the user name instead of the password', () => {
    const req = request(body, { authorization: basic(`${SECRET}:x`) });
    expect(freshdeskAdapter.verifySignature(req, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects a request with no credentials, or a bearer token equal to the secret', () => {
    expect(freshdeskAdapter.verifySignature(request(body), SECRET, NOW_MS)).toBe(false);
    const bearer = request(body, { authorization: `Bearer ${SECRET}` });
    expect(freshdeskAdapter.verifySignature(bearer, SECRET, NOW_MS)).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    expect(freshdeskAdapter.verifySignature(request(body, { 'x-pickup-secret': '' }), '', NOW_MS)).toBe(false);
    expect(freshdeskAdapter.verifySignature(request(body, { authorization: basic('x:') }), '', NOW_MS)).toBe(false);
  });
});

describe('freshdeskAdapter.parse', () => {
  it('the template is valid JSON once Freshdesk fills it, and maps every field', () => {
    expect(freshdeskAdapter.parse(envelope(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'freshdesk',
        externalId: '8812',
        subject: 'Invoice shows the wrong VAT number',
        description: 'Hello,\nOur invoice INV-2291 shows the wrong VAT number.\n- Ordered 12 Nov\n- Invoiced 14 Nov',
        priority: 'high',
        tags: ['billing', 'vip', 'invoice'],
        customer: {
          name: 'Sara Lindqvist',
          email: 'sara@lindqvist.se',
          phone: '+46812345678',
          company: 'Lindqvist AB',
          timezone: undefined,
        },
        url: 'https://acme.freshdesk.com/helpdesk/tickets/8812',
        receivedAt: undefined,
        assignee: { name: 'Lena Berg', email: 'lena.berg@acme.example' },
      },
    });
  });

  it('maps a flat body (an update with numeric priority; malformed phone dropped)', () => {
    expect(freshdeskAdapter.parse(freshdeskFlat(), {})).toEqual({
      kind: 'complaint',
      complaint: {
        source: 'freshdesk',
        externalId: '8813',
        subject: 'Second delivery also late',
        description: 'Still waiting for the replacement.',
        priority: 'urgent',
        tags: ['delivery'],
        customer: {
          name: 'Sara Lindqvist',
          email: 'sara@lindqvist.se',
          phone: undefined,
          company: undefined,
          timezone: undefined,
        },
        url: undefined,
        receivedAt: new Date('2026-11-23T09:40:00Z'),
        sourceUpdatedAt: new Date('2026-11-23T09:45:00Z'),
      },
    });
  });

  // Freshdesk renders {{triggered_event}} as e.g. `{ticket_action:created}`; for a note the reported deliveries name
  // private_note or public_note. Both wrappings are accepted since only the note words matter.
  it.each(['{note_type:private_note}', '{note_type:public_note}', '{ticket_action:private_note}'])(
    'ignores a note event (%s): its rendered subject and priority must not overwrite the ticket',
    (triggered) => {
      const result = freshdeskAdapter.parse(
        envelope({ triggered_event: triggered, 'ticket.subject': 'Re: internal note', 'ticket.priority': 'Low' }),
        {},
      );
      expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining('note') });
      expect(freshdeskAdapter.parse(freshdeskFlat({ triggered_event: triggered }), {}).kind).toBe('ignored');
    },
  );

  it.each(['{ticket_action:created}', '{priority:{from:Low,to:Urgent}}', '{status:{from:Open,to:Pending}}'])(
    'maps a ticket event (%s)',
    (triggered) => {
      expect(freshdeskAdapter.parse(envelope({ triggered_event: triggered }), {}).kind).toBe('complaint');
    },
  );

  it.each([
    ['Low', 'low'],
    ['Medium', 'normal'],
    ['HIGH', 'high'],
    ['urgent', 'urgent'],
    ['1', 'low'],
    ['2', 'normal'],
    ['3', 'high'],
    ['4', 'urgent'],
  ] as const)('reads envelope priority %s as %s', (rendered, expected) => {
    const result = freshdeskAdapter.parse(envelope({ 'ticket.priority': rendered }), {});
    expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
  });

  it.each([
    [1, 'low'],
    [2, 'normal'],
    [3, 'high'],
    [4, 'urgent'],
    ['Urgent', 'urgent'],
  ] as const)('reads flat priority %p as %s', (priority, expected) => {
    const result = freshdeskAdapter.parse(freshdeskFlat({ priority }), {});
    expect(result.kind === 'complaint' && result.complaint.priority).toBe(expected);
  });

  it('takes comma-separated tags in a flat body too', () => {
    const result = freshdeskAdapter.parse(freshdeskFlat({ tags: 'Exec-Callback, ,delivery' }), {});
    expect(result.kind === 'complaint' && result.complaint.tags).toEqual(['exec-callback', 'delivery']);
  });

  it('names the missing envelope fields by path', () => {
    const result = freshdeskAdapter.parse({ freshdesk_webhook: { ticket_id: '', ticket_priority: 'High' } }, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual([
      'freshdesk_webhook.ticket_id',
      'freshdesk_webhook.ticket_subject',
    ]);
  });

  it('names the missing flat fields by path', () => {
    const result = freshdeskAdapter.parse({ description: 'no id, no subject' }, {});
    expect(result.kind === 'invalid' && result.issues.map((i) => i.path).sort()).toEqual(['id', 'subject']);
  });
});

describe('freshdeskAdapter.parse: the assigned agent', () => {
  const assigneeOf = (body: unknown) => {
    const result = freshdeskAdapter.parse(body, {});
    return result.kind === 'complaint' ? result.complaint.assignee : 'not a complaint';
  };

  it('comes from the envelope’s {{ticket.agent.*}} placeholders', () => {
    expect(assigneeOf(envelope())).toEqual({ name: 'Lena Berg', email: 'lena.berg@acme.example' });
  });

  it('is absent for an unassigned ticket', () => {
    expect(assigneeOf(envelope({ 'ticket.agent.name': '', 'ticket.agent.email': '' }))).toBeUndefined();
  });

  it('is read from a flat body’s agent_name and agent_email, dropping an email that is not one', () => {
    expect(assigneeOf(freshdeskFlat({ agent_name: 'Lena Berg', agent_email: 'n/a' }))).toEqual({
      name: 'Lena Berg',
      email: undefined,
    });
    expect(assigneeOf(freshdeskFlat())).toBeUndefined();
  });
});
