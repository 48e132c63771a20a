import { buildHistoryBlocks, buildThreadBlocks, slackDate, THREAD_MESSAGE_MAX } from '../../src/calls/brief.blocks';
import { buildBrief } from '../../src/calls/claim.blocks';
import {
  type CustomerHistory,
  type EarlierComplaint,
  HISTORY_LIMITS,
  type PastCall,
  type TicketThread,
} from '../../src/calls/history';
import { slackProblems } from '../helpers/block-kit';
import {
  hostileComplaint,
  INJECTION,
  INJECTION_ESCAPED,
  liveInjections,
  mrkdwnTexts,
  NOW,
  oversizedComplaint,
} from '../helpers/customer-text';

const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY);

const call = (overrides: Partial<PastCall> = {}): PastCall => ({
  complaintId: 3,
  onThisComplaint: false,
  executive: 'UEXEC0002',
  outcome: 'reached',
  assessment: 'still_unhappy',
  at: at(40),
  ...overrides,
});

const earlier = (n: number, overrides: Partial<EarlierComplaint> = {}): EarlierComplaint => ({
  id: n,
  matchedBy: 'email',
  receivedAt: at(30 + n),
  subject: `${INJECTION} earlier complaint ${n}`,
  source: 'zendesk',
  externalId: String(100 + n),
  url: `https://desk.example/tickets/${100 + n}`,
  closedAt: null,
  lastCall: undefined,
  ...overrides,
});

const FIRST: CustomerHistory = { earlier: [], earlierTotal: 0, calls: [], surveys: [] };

const RICH: CustomerHistory = {
  earlier: [
    earlier(3, { lastCall: call() }),
    earlier(4, { matchedBy: 'phone' }),
    earlier(5, { matchedBy: 'company', source: 'slack', url: null }),
  ],
  earlierTotal: 3,
  calls: [call({ onThisComplaint: true, outcome: 'voicemail', assessment: null, at: at(1), complaintId: 7 }), call()],
  surveys: [{ complaintId: 3, score: 4, at: at(35) }],
};

const MANY: CustomerHistory = {
  earlier: Array.from({ length: HISTORY_LIMITS.complaints }, (_, i) =>
    earlier(i + 1, { subject: '<&> '.repeat(2_500) }),
  ),
  earlierTotal: 42,
  calls: Array.from({ length: 12 }, (_, i) => call({ at: at(i) })),
  surveys: Array.from({ length: 9 }, (_, i) => ({ complaintId: 1, score: i, at: at(i) })),
};

const LOADED: TicketThread = {
  status: 'loaded',
  messages: [
    { author: 'customer', text: `I was charged twice. ${INJECTION}\nPlease call me.`, at: at(3) },
    { author: 'agent', text: 'We are looking into it.', at: at(2) },
    { author: 'customer', text: 'x'.repeat(5_000), at: at(1) },
  ],
};

const briefs: [scenario: string, build: () => unknown][] = [
  ['first complaint, no thread client', () => buildBrief(hostileComplaint(), 9, NOW, { history: FIRST })],
  ['a rich history and the thread', () => buildBrief(hostileComplaint(), 9, NOW, { history: RICH, thread: LOADED })],
  [
    'long lists, 10,000-character fields, a failed thread',
    () =>
      buildBrief(oversizedComplaint(), 9, NOW, {
        history: MANY,
        thread: { status: 'failed', reason: `timeout ${INJECTION}` },
      }),
  ],
];

describe('the brief with the customer’s history and the ticket thread', () => {
  it.each(briefs)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each(briefs)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it('places the thread after what support tried, and the history before the advice', () => {
    const texts = mrkdwnTexts(buildBrief(hostileComplaint(), 9, NOW, { history: RICH, thread: LOADED }));
    const index = (start: string) => texts.findIndex((t) => t.includes(start));
    expect(index('What support already tried')).toBeLessThan(index('In their words'));
    expect(index('In their words')).toBeLessThan(index('Their history with us'));
    expect(index('Their history with us')).toBeLessThan(index('How to run the call'));
  });

  it('without history or thread, is the brief it always was', () => {
    expect(buildBrief(hostileComplaint(), 9, NOW, {})).toEqual(buildBrief(hostileComplaint(), 9, NOW));
  });
});

describe('buildHistoryBlocks', () => {
  it('says plainly when this is the customer’s first complaint', () => {
    const texts = mrkdwnTexts({ blocks: buildHistoryBlocks(FIRST) });
    expect(texts).toEqual([':card_index_dividers: *Their history with us* First complaint from this customer.']);
  });

  it('lists earlier complaints with dates, tickets, outcomes and how they matched', () => {
    const text = mrkdwnTexts({ blocks: buildHistoryBlocks(RICH) }).join('\n');
    expect(text).not.toContain('First complaint');
    expect(text).toContain('*Earlier complaints (3)*');
    expect(text).toContain(
      `${slackDate(at(33))} · <https://desk.example/tickets/103|Zendesk #103> · ${INJECTION_ESCAPED}`,
    );
    expect(text).toContain('— Reached the customer _(same email)_');
    expect(text).toContain('— no executive call _(same phone)_');
    expect(text).toContain('_(same company)_');
  });

  it('lists executive calls (who, how it went, the read of the customer) and survey scores', () => {
    const text = mrkdwnTexts({ blocks: buildHistoryBlocks(RICH) }).join('\n');
    expect(text).toContain(`${slackDate(at(1))} · <@UEXEC0002> · this complaint · Left a voicemail`);
    expect(text).toContain(`${slackDate(at(40))} · <@UEXEC0002> · Reached the customer · Still unhappy`);
    expect(text).toContain(`*Survey scores*\n• *4/10* on ${slackDate(at(35))}`);
  });

  it('cuts each list to its limit and counts the rest', () => {
    const texts = mrkdwnTexts({ blocks: buildHistoryBlocks(MANY) });
    const complaints = texts.find((t) => t.startsWith('*Earlier complaints (42)*')) ?? '';
    expect(complaints.match(/^• /gm)).toHaveLength(HISTORY_LIMITS.complaints);
    expect(complaints).toContain(`_…and ${42 - HISTORY_LIMITS.complaints} more_`);
    const calls = texts.find((t) => t.startsWith('*Executive calls*')) ?? '';
    expect(calls.match(/^• /gm)).toHaveLength(HISTORY_LIMITS.calls);
    expect(calls).toContain(`_…and ${12 - HISTORY_LIMITS.calls} more_`);
    const surveys = texts.find((t) => t.startsWith('*Survey scores*')) ?? '';
    expect(surveys).toContain(`_…and ${9 - HISTORY_LIMITS.surveys} more_`);
  });

  it('writes dates Slack shows in the reader’s zone, falling back to the UTC date', () => {
    expect(slackDate(new Date('2026-11-03T23:30:00Z'))).toBe('<!date^1793748600^{date_short}|2026-11-03>');
  });
});

describe('buildThreadBlocks', () => {
  it('quotes the customer as they wrote, escaped, and tells the customer from support', () => {
    const texts = mrkdwnTexts({ blocks: buildThreadBlocks(LOADED) });
    expect(texts[0]).toContain('*In their words*');
    expect(texts[1]).toBe(
      `:speech_balloon: *Customer* · ${slackDate(at(3))}\n>I was charged twice. ${INJECTION_ESCAPED}\n>Please call me.`,
    );
    expect(texts[2]).toContain(':headphones: *Support*');
    expect(texts[3]?.length).toBeLessThanOrEqual(THREAD_MESSAGE_MAX + 80);
    expect(texts[3]).toMatch(/…$/);
  });

  it('says so when the thread could not be loaded, and why', () => {
    const texts = mrkdwnTexts({
      blocks: buildThreadBlocks({ status: 'failed', reason: 'the help desk answered HTTP 500' }),
    });
    expect(texts).toEqual([":warning: Couldn't load the ticket thread: the help desk answered HTTP 500."]);
  });

  it('says so when the ticket has no public message yet', () => {
    const texts = mrkdwnTexts({ blocks: buildThreadBlocks({ status: 'loaded', messages: [] }) });
    expect(texts).toEqual(['*In their words*\n_The ticket has no public messages yet._']);
  });
});
