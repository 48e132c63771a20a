import type { Complaint } from '../../src/complaints/complaint';
import { buildQueue } from '../../src/picks/queue.blocks';
import { ActionIds } from '../../src/shared/ids';
import { MESSAGE_MAX_BLOCKS, slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  hostileComplaint,
  INJECTION_ESCAPED,
  liveInjections,
  NOW,
  oversizedComplaint,
} from '../helpers/customer-text';

const many = (n: number): Complaint[] => Array.from({ length: n }, (_, i) => hostileComplaint({ id: i + 1 }));

const scenarios: [scenario: string, build: () => ReturnType<typeof buildQueue>][] = [
  ['an empty pool', () => buildQueue([], 0, NOW)],
  ['one complaint with hostile text', () => buildQueue([hostileComplaint()], 1, NOW)],
  ['one complaint, every field 10,000 characters', () => buildQueue([oversizedComplaint()], 1, NOW)],
  ['ten shown of 250 waiting', () => buildQueue(many(10), 250, NOW)],
  ['more complaints than one message holds', () => buildQueue(many(120), 120, NOW)],
  [
    'a complaint with no name, company or ticket link',
    () =>
      buildQueue(
        [
          hostileComplaint({
            url: null,
            customer: { name: null, company: null, phone: null, email: null, timezone: null },
          }),
        ],
        1,
        NOW,
      ),
  ],
];

describe('buildQueue', () => {
  it.each(scenarios)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each(scenarios)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(scenarios)('%s: no phone or email, not even inside free text', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });

  it('lists each complaint escaped, with a claim button for it', () => {
    const { blocks } = buildQueue(many(2), 2, NOW);
    expect(JSON.stringify(blocks)).toContain(INJECTION_ESCAPED);
    const buttons = blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory] : []));
    expect(buttons).toEqual([
      expect.objectContaining({ type: 'button', action_id: ActionIds.claimComplaint, value: '1' }),
      expect.objectContaining({ type: 'button', action_id: ActionIds.claimComplaint, value: '2' }),
    ]);
  });

  it('counts the ones it does not show, however many it was given', () => {
    const { blocks } = buildQueue(many(120), 130, NOW);
    expect(blocks.length).toBeLessThanOrEqual(MESSAGE_MAX_BLOCKS);
    const claimButtons = blocks.filter((b) => b.type === 'section' && b.accessory).length;
    expect(JSON.stringify(blocks.at(-1))).toContain(`…and ${130 - claimButtons} more in the pool`);
  });

  it('says so when nothing is eligible', () => {
    expect(buildQueue([], 0, NOW).text).toBe('No eligible complaints right now.');
  });
});
