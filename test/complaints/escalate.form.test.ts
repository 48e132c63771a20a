import type { ComplaintInput } from '../../src/complaints/complaint';
import {
  ESCALATE_LIMITS,
  parseEscalateForm,
  parseEscalateText,
  prefillFromMessage,
} from '../../src/complaints/escalate.form';
import { EscalateBlocks, INPUT_ACTION_ID } from '../../src/shared/ids';
import type { FormResult, InputState, ViewValues } from '../../src/shared/view-state';
import { INJECTION } from '../helpers/customer-text';

type EscalateBlockId = (typeof EscalateBlocks)[keyof typeof EscalateBlocks];

/** What the escalate modal's inputs hold, by block_id, as Slack sends `view.state.values`. */
type Filled = Partial<Record<EscalateBlockId, InputState>>;

function submitted(filled: Filled): ViewValues {
  return Object.fromEntries(Object.entries(filled).map(([blockId, state]) => [blockId, { [INPUT_ACTION_ID]: state }]));
}

const text = (value: string | null): InputState => ({ type: 'plain_text_input', value });

const META = { userId: 'ULEAD0001', viewId: 'V123', now: new Date('2026-11-30T15:00:00Z') };

/** The smallest valid escalation: a customer name and a subject. */
const minimal: Filled = {
  [EscalateBlocks.customerName]: text('Ada Lovelace'),
  [EscalateBlocks.subject]: text('Billed twice for November'),
  [EscalateBlocks.priority]: { type: 'static_select', selected_option: { value: 'high' } },
};

/** The complaint the minimal escalation makes; scenarios override what they change. */
function complaint(overrides: Partial<ComplaintInput> = {}, customer: Partial<ComplaintInput['customer']> = {}) {
  return {
    source: 'slack',
    externalId: 'view:V123',
    subject: 'Billed twice for November',
    supportTried: undefined,
    priority: 'high',
    tags: ['escalated'],
    customer: {
      name: 'Ada Lovelace',
      company: undefined,
      phone: undefined,
      email: undefined,
      timezone: undefined,
      ...customer,
    },
    url: undefined,
    receivedAt: META.now,
    doNotCall: false,
    escalatedBy: 'ULEAD0001',
    ...overrides,
  } satisfies ComplaintInput;
}

const accepted = (value: ComplaintInput): FormResult<ComplaintInput> => ({ ok: true, value });
const refused = (errors: Record<string, string>): FormResult<ComplaintInput> => ({ ok: false, errors });

describe('parseEscalateForm', () => {
  it.each<[scenario: string, filled: Filled, expected: FormResult<ComplaintInput>]>([
    ['a name and a subject are enough', minimal, accepted(complaint())],
    [
      'everything filled in: the phone kept as E.164, the email lower-cased, the ticket link its identity',
      {
        ...minimal,
        [EscalateBlocks.company]: text(' Analytical Engines '),
        [EscalateBlocks.customerPhone]: text('+1 (415) 555-0142'),
        [EscalateBlocks.customerEmail]: text('Ada@Example.COM'),
        [EscalateBlocks.customerTimezone]: text('Europe/London'),
        [EscalateBlocks.ticketUrl]: text('https://help.example.com/tickets/42'),
        [EscalateBlocks.supportTried]: text('Refunded one charge.'),
        [EscalateBlocks.priority]: { type: 'static_select', selected_option: { value: 'urgent' } },
        [EscalateBlocks.doNotCall]: { type: 'checkboxes', selected_options: [] },
      },
      accepted(
        complaint(
          {
            externalId: 'ticket:https://help.example.com/tickets/42',
            url: 'https://help.example.com/tickets/42',
            supportTried: 'Refunded one charge.',
            priority: 'urgent',
          },
          {
            company: 'Analytical Engines',
            phone: '+14155550142',
            email: 'ada@example.com',
            timezone: 'Europe/London',
          },
        ),
      ),
    ],
    [
      'customer text is kept as typed (escaping is for the builders)',
      { ...minimal, [EscalateBlocks.subject]: text(INJECTION), [EscalateBlocks.supportTried]: text(INJECTION) },
      accepted(complaint({ subject: INJECTION, supportTried: INJECTION })),
    ],
    [
      'a do-not-call customer',
      { ...minimal, [EscalateBlocks.doNotCall]: { type: 'checkboxes', selected_options: [{ value: 'yes' }] } },
      accepted(complaint({ doNotCall: true })),
    ],
    [
      'no priority chosen falls back to high',
      { ...minimal, [EscalateBlocks.priority]: { type: 'static_select', selected_option: null } },
      accepted(complaint()),
    ],
    [
      'inputs of only spaces count as empty',
      { ...minimal, [EscalateBlocks.company]: text('   '), [EscalateBlocks.customerEmail]: text(' ') },
      accepted(complaint()),
    ],
    [
      'no name and no subject',
      { [EscalateBlocks.customerName]: text(null), [EscalateBlocks.subject]: text('  ') },
      refused({
        [EscalateBlocks.customerName]: "Enter the customer's name.",
        [EscalateBlocks.subject]: 'Say in a line what went wrong.',
      }),
    ],
    [
      'a subject over 500 characters',
      { ...minimal, [EscalateBlocks.subject]: text('s'.repeat(501)) },
      refused({ [EscalateBlocks.subject]: 'Say in a line what went wrong.' }),
    ],
    [
      'what support tried over 3,000 characters',
      { ...minimal, [EscalateBlocks.supportTried]: text('t'.repeat(3001)) },
      refused({ [EscalateBlocks.supportTried]: 'Keep this under 3,000 characters.' }),
    ],
    [
      'a company name over 200 characters',
      { ...minimal, [EscalateBlocks.company]: text('c'.repeat(201)) },
      refused({ [EscalateBlocks.company]: 'Keep the company name under 200 characters.' }),
    ],
    [
      'a phone that is not one',
      { ...minimal, [EscalateBlocks.customerPhone]: text('call reception') },
      refused({
        [EscalateBlocks.customerPhone]: 'Use an international number with 7 to 15 digits, e.g. +1 415 555 0100.',
      }),
    ],
    [
      'an email that is not one',
      { ...minimal, [EscalateBlocks.customerEmail]: text('ada at example') },
      refused({ [EscalateBlocks.customerEmail]: 'That is not a valid email address.' }),
    ],
    [
      'a time zone that is not one',
      { ...minimal, [EscalateBlocks.customerTimezone]: text('Mars/Olympus_Mons') },
      refused({
        [EscalateBlocks.customerTimezone]: 'Use an IANA time zone such as Europe/Paris or America/New_York.',
      }),
    ],
    [
      'a ticket link that is not http(s)',
      { ...minimal, [EscalateBlocks.ticketUrl]: text('javascript:alert(1)') },
      refused({ [EscalateBlocks.ticketUrl]: 'Use an http(s) link to the ticket.' }),
    ],
    [
      'a priority the modal never offered',
      { ...minimal, [EscalateBlocks.priority]: { type: 'static_select', selected_option: { value: 'apocalyptic' } } },
      refused({ [EscalateBlocks.priority]: 'Choose one of the priorities.' }),
    ],
  ])('%s', (_scenario, filled, expected) => {
    expect(parseEscalateForm(submitted(filled), META)).toEqual(expected);
  });
});

describe('parseEscalateText', () => {
  it.each<[scenario: string, text: string, expected: ReturnType<typeof parseEscalateText>]>([
    ['nothing', '   ', {}],
    ['a subject alone', '  Billed   twice  ', { subject: 'Billed twice' }],
    ['a bare link alone', 'https://help.example.com/t/1', { ticketUrl: 'https://help.example.com/t/1' }],
    [
      'a link as Slack wraps it, then the subject',
      '<https://help.example.com/t/1|help.example.com/t/1> Billed twice',
      { ticketUrl: 'https://help.example.com/t/1', subject: 'Billed twice' },
    ],
    [
      'a subject, then a link as Slack wraps it without a label',
      'Billed twice <https://help.example.com/t/1>',
      { ticketUrl: 'https://help.example.com/t/1', subject: 'Billed twice' },
    ],
    ['angle brackets in the subject become spaces', 'Refund <!channel> now', { subject: 'Refund !channel now' }],
    ['a subject cut to 500 characters', 's'.repeat(600), { subject: 's'.repeat(500) }],
  ])('%s', (_scenario, text, expected) => {
    expect(parseEscalateText(text)).toEqual(expected);
  });
});

const PERMALINK = 'https://test.slack.com/archives/CSUPPORT1/p1732350000000300';

describe('prefillFromMessage (the escalate_message shortcut)', () => {
  const scenarios: { name: string; text: string; permalink?: string; expected: Record<string, unknown> }[] = [
    {
      name: 'first line is the subject, the whole message what support tried, the permalink the ticket',
      text: 'Customer says the app deleted their invoices\nThey want a call',
      permalink: PERMALINK,
      expected: {
        subject: 'Customer says the app deleted their invoices',
        supportTried: 'Customer says the app deleted their invoices\nThey want a call',
        ticketUrl: PERMALINK,
      },
    },
    {
      name: 'blank leading lines are skipped and the subject is trimmed',
      text: '\n   \n  Refund never arrived  \nsecond line',
      permalink: PERMALINK,
      expected: {
        subject: 'Refund never arrived',
        supportTried: '\n   \n  Refund never arrived  \nsecond line',
        ticketUrl: PERMALINK,
      },
    },
    {
      name: 'no permalink leaves the ticket empty',
      text: 'One line',
      expected: { subject: 'One line', supportTried: 'One line' },
    },
    {
      name: 'an empty message (a file or an attachment only) prefills only the ticket',
      text: '',
      permalink: PERMALINK,
      expected: { ticketUrl: PERMALINK },
    },
    {
      name: 'a blank message gives no subject',
      text: '  \n\t',
      expected: { supportTried: '  \n\t' },
    },
  ];

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    expect(prefillFromMessage(scenario.text, scenario.permalink)).toEqual(scenario.expected);
  });

  it("cuts the subject and what support tried to the modal's limits", () => {
    const long = `${'s'.repeat(ESCALATE_LIMITS.subject + 100)}\n${'t'.repeat(ESCALATE_LIMITS.supportTried)}`;
    const prefill = prefillFromMessage(long, PERMALINK);
    expect(prefill.subject).toBe('s'.repeat(ESCALATE_LIMITS.subject));
    expect(prefill.supportTried).toHaveLength(ESCALATE_LIMITS.supportTried);
    expect(long.startsWith(prefill.supportTried ?? '-')).toBe(true);
  });

  it('keeps customer text as typed: escaping is the modal builder’s job (plain-text inputs)', () => {
    const prefill = prefillFromMessage('<!channel> *urgent* & <https://x.example|link>', undefined);
    expect(prefill.subject).toBe('<!channel> *urgent* & <https://x.example|link>');
  });
});
