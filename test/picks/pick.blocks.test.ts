import type { Complaint } from '../../src/complaints/complaint';
import {
  buildEmptyPickPost,
  buildPickPost,
  buildUnclaimedReminder,
  type PickPostModel,
} from '../../src/picks/pick.blocks';
import type { Block } from '../../src/ports/slack.port';
import { ActionIds } from '../../src/shared/ids';
import { slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  hostileComplaint,
  INJECTION_ESCAPED,
  liveInjections,
  oversizedComplaint,
} from '../helpers/customer-text';

const COMMITMENT = 'c0ffee'.repeat(10).slice(0, 64);
const NOW = new Date('2026-11-18T15:00:00Z');

const complaint: Complaint = {
  id: 42,
  source: 'zendesk',
  externalId: '1042',
  subject: 'Billed twice for November',
  priority: 'urgent',
  tags: [],
  description: 'Two charges on the card.',
  supportTried: 'Refund requested.',
  isMajor: true,
  doNotCall: false,
  customer: {
    name: 'Ada Lovelace',
    company: 'Analytical Engines',
    phone: '+14155550123',
    email: 'ada@example.com',
    timezone: null,
  },
  url: 'https://help.example.com/tickets/1042',
  escalatedBy: null,
  receivedAt: new Date('2026-11-17T10:00:00Z'),
  createdAt: new Date('2026-11-17T10:00:00Z'),
  assignee: { name: null, email: null },
  closedAt: null,
};

const model = (overrides: Partial<PickPostModel> = {}): PickPostModel => ({
  date: '2026-11-18',
  poolSize: 12,
  complaint,
  suggestedExecutive: 'UEXEC0001',
  claimedBy: null,
  now: NOW,
  draw: { seedCommitment: COMMITMENT, seedWeek: '2026-11-16' },
  ...overrides,
});

const contextTexts = (blocks: Block[]): string[] =>
  blocks
    .filter((b) => b.type === 'context')
    .flatMap((b) => (b.elements as { text?: string }[]).map((e) => e.text ?? ''));

describe('buildPickPost: the draw context line', () => {
  it.each([
    ['unclaimed', null],
    ['claimed', 'UEXEC0002'],
  ])('shows the seed commitment and how to verify the draw (%s)', (_state, claimedBy) => {
    const { blocks } = buildPickPost(model({ claimedBy }));
    const line = contextTexts(blocks).find((t) => t.includes('Seed commitment'));
    expect(line).toBe(
      `:game_die: Drawn at random from 12 eligible. Seed commitment (week of 2026-11-16): \`${COMMITMENT}\`. ` +
        'The seed is revealed when the week ends; then anyone can check this draw with ' +
        '`npm run cli -- verify --date 2026-11-18`.',
    );
  });

  it('leaves the line out for a pick made before verifiable draws', () => {
    const { blocks } = buildPickPost(model({ draw: null }));
    expect(contextTexts(blocks).some((t) => t.includes('commitment'))).toBe(false);
  });

  it('never shows the customer’s phone or email beside it', () => {
    const json = JSON.stringify(buildPickPost(model()));
    expect(json).not.toContain('ada@example.com');
    expect(json).not.toContain('4155550123');
  });
});

const post =
  (overrides: Partial<PickPostModel> = {}) =>
  () =>
    buildPickPost(model(overrides));

/** Every message pick.blocks builds for the executives' channel. */
const scenarios: [scenario: string, build: () => { text: string; blocks?: Block[] }][] = [
  ['the pick post, unclaimed, hostile text', post({ complaint: hostileComplaint() })],
  ['the pick post, claimed, hostile text', post({ complaint: hostileComplaint(), claimedBy: 'UEXEC0002' })],
  ['the pick post, every field 10,000 characters', post({ complaint: oversizedComplaint() })],
  [
    'the pick post, no name, company, description or ticket link',
    post({
      complaint: hostileComplaint({
        url: null,
        description: null,
        supportTried: null,
        customer: { name: null, company: null, phone: null, email: null, timezone: null },
      }),
      suggestedExecutive: null,
      draw: null,
    }),
  ],
  ['the post for an empty pool', () => buildEmptyPickPost('2026-11-18')],
  ['the unclaimed reminder, with a suggestion', () => buildUnclaimedReminder(4, 'UEXEC0001')],
  ['the unclaimed reminder, with nobody suggested', () => buildUnclaimedReminder(4, null)],
];

describe('pick.blocks: every builder, every scenario', () => {
  it.each(scenarios)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each(scenarios)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(scenarios)('%s: no phone or email, not even inside free text', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });

  it('shows the customer’s words escaped in full, the ticket link without its contact details', () => {
    const json = JSON.stringify(buildPickPost(model({ complaint: hostileComplaint() })));
    expect(json).toContain(INJECTION_ESCAPED);
    expect(json).toContain('<https://desk.example/tickets/42?requester=[email]|Zendesk #42>');
  });

  it('offers the claim button until someone claims, then names the claimer instead', () => {
    const unclaimed = buildPickPost(model());
    expect(unclaimed.blocks).toContainEqual(
      expect.objectContaining({
        type: 'actions',
        elements: [expect.objectContaining({ action_id: ActionIds.claimComplaint, value: '42' })],
      }),
    );
    const claimed = buildPickPost(model({ claimedBy: 'UEXEC0002' }));
    expect(claimed.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(claimed.text).toContain('claimed by <@UEXEC0002>');
  });
});
