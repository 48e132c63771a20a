import {
  buildLeadAttemptDm,
  buildLeadClaimDm,
  buildSupportCallPost,
  buildThankYou,
  type LeadAttemptNews,
  QUOTE_MAX,
} from '../../src/calls/frontline.blocks';
import { fillMentionSlot, MENTION_SLOT } from '../../src/outbox/outbox';
import { slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  hostileComplaint,
  INJECTION,
  INJECTION_ESCAPED,
  liveInjections,
  mrkdwnTexts,
  oversizedComplaint,
  TEXT_WITH_CONTACTS,
} from '../helpers/customer-text';

const EXEC = 'UEXEC0001';
const AGENT = { name: 'Dana <!here> Scully', email: 'dana.scully@support.example' };

const news = (overrides: Partial<LeadAttemptNews> = {}): LeadAttemptNews => ({
  executive: EXEC,
  outcome: 'reached',
  assessment: 'advocate',
  followUpDate: undefined,
  learning: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
  claimOpen: false,
  ...overrides,
});

const LONG = `${'<&> words '.repeat(1_000)}`;

/** Every front-line message: none is for the claimer, so none may carry the customer's phone or email. */
const messages: [scenario: string, build: () => unknown][] = [
  ['the lead’s claim DM, hostile text', () => buildLeadClaimDm(hostileComplaint(), EXEC)],
  ['the lead’s claim DM, 10,000-character fields', () => buildLeadClaimDm(oversizedComplaint(), EXEC)],
  ['the lead’s call DM, hostile learning', () => buildLeadAttemptDm(hostileComplaint(), news())],
  [
    'the lead’s call DM, 10,000-character learning and fields',
    () => buildLeadAttemptDm(oversizedComplaint(), news({ learning: LONG, followUpDate: '2026-12-03' })),
  ],
  [
    'the lead’s call DM, nothing shareable',
    () => buildLeadAttemptDm(hostileComplaint(), news({ learning: undefined })),
  ],
  ['the support channel’s post, hostile text', () => buildSupportCallPost(hostileComplaint(), EXEC, 'declined')],
  [
    'the support channel’s post, 10,000-character fields',
    () => buildSupportCallPost(oversizedComplaint(), EXEC, 'reached'),
  ],
  [
    'the thank-you, agent known by email, hostile message',
    () =>
      buildThankYou(hostileComplaint(), {
        executive: EXEC,
        agent: AGENT,
        message: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
      }).message,
  ],
  [
    'the thank-you, agent named only, 10,000-character message',
    () =>
      buildThankYou(oversizedComplaint(), { executive: EXEC, agent: { ...AGENT, email: null }, message: LONG }).message,
  ],
  [
    'the thank-you, nobody known, no message',
    () =>
      buildThankYou(hostileComplaint(), { executive: EXEC, agent: { name: null, email: null }, message: undefined })
        .message,
  ],
];

describe('frontline.blocks: every message, every scenario', () => {
  it.each(messages)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each(messages)('%s: customer and executive text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(messages)('%s: no phone or email, not even inside free text or the ticket link', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });
});

describe('the support lead’s DMs', () => {
  it('when claimed: who will call, about which ticket', () => {
    const dm = JSON.stringify(buildLeadClaimDm(hostileComplaint(), EXEC));
    expect(dm).toContain(`<@${EXEC}> claimed the complaint you escalated`);
    expect(dm).toContain('Zendesk #42');
    expect(dm).toContain(INJECTION_ESCAPED);
  });

  it.each([
    ['a reached call, advocate, shareable learning', news(), ['Reached the customer', 'Advocate', 'What they learned']],
    [
      'a voicemail, not assessed, follow-up planned',
      news({ outcome: 'voicemail', assessment: undefined, followUpDate: '2026-12-03', claimOpen: true }),
      ['Left a voicemail', '_not assessed_', '2026-12-03', "They'll try again"],
    ],
  ])('after %s: outcome, advocacy and what follows', (_scenario, attempt, expected) => {
    const dm = JSON.stringify(buildLeadAttemptDm(hostileComplaint(), attempt));
    for (const part of expected) expect(dm).toContain(part);
  });

  it('quotes the learning redacted and escaped, and has no learning section without one', () => {
    const shared = JSON.stringify(buildLeadAttemptDm(hostileComplaint(), news()));
    expect(shared).toContain('Call me on [phone] or [phone], mail [email], cc [email]');
    expect(shared).toContain(INJECTION_ESCAPED);
    const notShared = JSON.stringify(buildLeadAttemptDm(hostileComplaint(), news({ learning: undefined })));
    expect(notShared).not.toContain('What they learned');
  });

  it('cuts a long learning to QUOTE_MAX', () => {
    const dm = buildLeadAttemptDm(oversizedComplaint(), news({ learning: 'x'.repeat(10_000) }));
    const learning = mrkdwnTexts(dm).find((t) => t.startsWith('*What they learned*'));
    expect(learning?.length).toBeLessThanOrEqual(QUOTE_MAX + 30);
    expect(learning).toMatch(/…$/);
  });
});

describe('the support channel’s post', () => {
  it('says who called, the outcome and the ticket, with the subject’s contact details masked', () => {
    const post = JSON.stringify(buildSupportCallPost(hostileComplaint(), EXEC, 'wrong_number'));
    expect(post).toContain(`<@${EXEC}> called the customer on this ticket: *Wrong number*`);
    expect(post).toContain('<https://desk.example/tickets/42?requester=[email]|Zendesk #42>');
    expect(post).toContain('Call me on [phone]');
  });
});

describe('the thank-you', () => {
  const complaint = hostileComplaint();

  it('with the agent’s email: a mention looked up when sent, the name (escaped) if Slack knows nobody by it', () => {
    const thanks = buildThankYou(complaint, { executive: EXEC, agent: AGENT, message: 'Great notes on the ticket.' });
    expect(thanks.mention).toEqual({ email: AGENT.email, fallback: '*Dana &lt;!here&gt; Scully*' });
    expect(JSON.stringify(thanks.message)).toContain(`Thank you, ${MENTION_SLOT}!`);
    // The email itself travels only in the lookup, never in the message.
    expect(JSON.stringify(thanks.message)).not.toContain(AGENT.email);

    const found = JSON.stringify(fillMentionSlot(thanks.message, '<@UAGENT01>'));
    expect(found).toContain('Thank you, <@UAGENT01>!');
    const notFound = JSON.stringify(fillMentionSlot(thanks.message, thanks.mention?.fallback ?? ''));
    expect(notFound).toContain('Thank you, *Dana &lt;!here&gt; Scully*!');
    expect(notFound).not.toContain(MENTION_SLOT);
  });

  it.each([
    ['a name only', { name: 'Dana Scully', email: null }, 'Thank you, *Dana Scully*!'],
    ['no name and no email', { name: null, email: null }, 'Thank you, support team!'],
  ])('with %s: no lookup, the post names whom it can', (_scenario, agent, greeting) => {
    const thanks = buildThankYou(complaint, { executive: EXEC, agent, message: undefined });
    expect(thanks.mention).toBeUndefined();
    expect(JSON.stringify(thanks.message)).toContain(greeting);
    expect(JSON.stringify(thanks.message)).not.toContain(MENTION_SLOT);
  });

  it('carries the executive’s message redacted and escaped, and says nothing when there is none', () => {
    const withWords = JSON.stringify(
      buildThankYou(complaint, { executive: EXEC, agent: AGENT, message: `${INJECTION} ${TEXT_WITH_CONTACTS}` })
        .message,
    );
    expect(withWords).toContain(`<@${EXEC}> says:`);
    expect(withWords).toContain(INJECTION_ESCAPED);
    expect(withWords).toContain('mail [email]');
    const without = JSON.stringify(buildThankYou(complaint, { executive: EXEC, agent: AGENT, message: ' ' }).message);
    expect(without).not.toContain('says:');
  });
});
