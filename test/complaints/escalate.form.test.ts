import { ESCALATE_LIMITS, prefillFromMessage } from '../../src/complaints/escalate.form';

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
