import { buildEscalateModal, buildEscalationNotice } from '../../src/complaints/complaint.blocks';
import { ActionIds, CallbackIds, EscalateBlocks, INPUT_ACTION_ID } from '../../src/shared/ids';
import { slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  hostileComplaint,
  INJECTION,
  INJECTION_ESCAPED,
  liveInjections,
  oversizedComplaint,
  TEXT_WITH_CONTACTS,
} from '../helpers/customer-text';

const LEAD = 'ULEAD0001';
const LONG = 'x'.repeat(10_000);

/** The modal the lead fills in: it asks for the phone and email, so only its shape and escaping are checked. */
const modals: [scenario: string, build: () => unknown][] = [
  ['the escalate modal, nothing prefilled', () => buildEscalateModal({}, '{}')],
  [
    'the escalate modal, prefilled with hostile text',
    () =>
      buildEscalateModal(
        { subject: INJECTION, supportTried: TEXT_WITH_CONTACTS, ticketUrl: 'https://desk.example/t/1?a=<b>&c' },
        '{"channel":"C1"}',
      ),
  ],
  [
    'the escalate modal, every prefill and the metadata 10,000 characters',
    () => buildEscalateModal({ subject: LONG, supportTried: LONG, ticketUrl: `https://desk.example/${LONG}` }, LONG),
  ],
];

/** The notice to the executives' channel: never a contact detail. */
const notices: [scenario: string, build: () => unknown][] = [
  ['the escalation notice, hostile text', () => buildEscalationNotice(hostileComplaint(), LEAD)],
  ['the escalation notice, every field 10,000 characters', () => buildEscalationNotice(oversizedComplaint(), LEAD)],
  [
    'the escalation notice, a do-not-call customer',
    () => buildEscalationNotice(hostileComplaint({ doNotCall: true }), LEAD),
  ],
  [
    'the escalation notice, no name, company or ticket link',
    () =>
      buildEscalationNotice(
        hostileComplaint({
          url: null,
          customer: { name: null, company: null, phone: null, email: null, timezone: null },
        }),
        LEAD,
      ),
  ],
];

describe('complaint.blocks: every builder, every scenario', () => {
  it.each([...modals, ...notices])('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each([...modals, ...notices])('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(notices)('%s: no phone or email, not even inside free text', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });
});

describe('buildEscalateModal', () => {
  it('has the contract’s callback_id and block_ids, each input answering at values[block_id].value', () => {
    const modal = buildEscalateModal({}, '{}');
    expect(modal.callback_id).toBe(CallbackIds.escalateModal);
    const inputs = modal.blocks.flatMap((b) => (b.type === 'input' ? [b] : []));
    expect(inputs.map((b) => b.block_id).sort()).toEqual(Object.values(EscalateBlocks).sort());
    for (const input of inputs) expect(input.element.action_id).toBe(INPUT_ACTION_ID);
  });

  it('prefills the subject, what support tried and the ticket link, each cut to what its input takes', () => {
    const modal = buildEscalateModal({ subject: LONG, supportTried: LONG, ticketUrl: LONG }, '{}');
    const initial = Object.fromEntries(
      modal.blocks.flatMap((b) =>
        b.type === 'input' && b.element.type === 'plain_text_input' ? [[b.block_id, b.element.initial_value]] : [],
      ),
    );
    expect(initial[EscalateBlocks.subject]).toHaveLength(500);
    expect(initial[EscalateBlocks.supportTried]).toHaveLength(3000);
    expect(initial[EscalateBlocks.ticketUrl]).toHaveLength(2000);
    expect(initial[EscalateBlocks.customerName]).toBeUndefined();
  });

  it('starts at high priority', () => {
    const priority = buildEscalateModal({}, '{}').blocks.find((b) => b.block_id === EscalateBlocks.priority);
    expect(priority).toMatchObject({ element: { type: 'static_select', initial_option: { value: 'high' } } });
  });
});

describe('buildEscalationNotice', () => {
  it('names the lead, shows the subject escaped in full, and offers the claim button', () => {
    const notice = buildEscalationNotice(hostileComplaint(), LEAD);
    const json = JSON.stringify(notice);
    expect(json).toContain(`<@${LEAD}> escalated a complaint`);
    expect(json).toContain(INJECTION_ESCAPED);
    expect(notice.blocks).toContainEqual(
      expect.objectContaining({
        type: 'actions',
        elements: [expect.objectContaining({ action_id: ActionIds.claimComplaint, value: '7' })],
      }),
    );
  });

  it('offers no claim button when the customer asked not to be called, and says why', () => {
    const notice = buildEscalationNotice(hostileComplaint({ doNotCall: true }), LEAD);
    expect(notice.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(notice)).toContain('asked not to be called');
  });

  it('marks where contact details were, and keeps the rest of the text', () => {
    const json = JSON.stringify(buildEscalationNotice(hostileComplaint(), LEAD));
    expect(json).toContain('Call me on [phone] or [phone], mail [email], cc [email]');
  });
});
