import type { Complaint } from '../../src/complaints/complaint';
import { buildPickPost, type PickPostModel } from '../../src/picks/pick.blocks';
import type { Block } from '../../src/ports/slack.port';

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
