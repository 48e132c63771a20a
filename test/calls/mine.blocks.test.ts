import { buildMine } from '../../src/calls/mine.blocks';
import { ActionIds } from '../../src/shared/ids';
import { MESSAGE_MAX_BLOCKS, slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  EMAIL,
  hostileComplaint,
  INJECTION_ESCAPED,
  liveInjections,
  NOW,
  oversizedComplaint,
} from '../helpers/customer-text';

type MineRow = Parameters<typeof buildMine>[0][number];

/** An open claim as `/pickup mine` lists it, from a complaint's text. */
function row(claimId: number, complaint = hostileComplaint()): MineRow {
  return {
    claim_id: claimId,
    subject: complaint.subject,
    customer_name: complaint.customer.name,
    customer_company: complaint.customer.company,
    attempts: 2,
    claimed_at: new Date('2026-11-29T09:00:00Z'),
  };
}

const scenarios: [scenario: string, build: () => ReturnType<typeof buildMine>][] = [
  ['no open calls', () => buildMine([], NOW)],
  ['one claim with hostile text', () => buildMine([row(1)], NOW)],
  ['one claim, every field 10,000 characters', () => buildMine([row(1, oversizedComplaint())], NOW)],
  [
    '200 claims',
    () =>
      buildMine(
        Array.from({ length: 200 }, (_, i) => row(i + 1)),
        NOW,
      ),
  ],
  [
    'a claim with no name, company or attempts',
    () => buildMine([{ ...row(1), customer_name: null, customer_company: null, attempts: null }], NOW),
  ],
];

describe('buildMine', () => {
  it.each(scenarios)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each(scenarios)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(scenarios)('%s: no phone or email, not even inside free text (it answers in a channel)', (_s, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });

  it('lists each claim with its customer’s words escaped in full and a Log outcome button for it', () => {
    const { blocks } = buildMine([row(41), row(42)], NOW);
    expect(JSON.stringify(blocks)).toContain(INJECTION_ESCAPED);
    const buttons = blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory] : []));
    expect(buttons).toEqual([
      expect.objectContaining({ type: 'button', action_id: ActionIds.logOutcome, value: '41' }),
      expect.objectContaining({ type: 'button', action_id: ActionIds.logOutcome, value: '42' }),
    ]);
  });

  it('keeps the customer’s name, with contact details in it marked', () => {
    const json = JSON.stringify(buildMine([row(1)], NOW));
    expect(json).toContain('Jane &lt;!channel&gt; Doe ([email])');
    expect(json).not.toContain(EMAIL);
  });

  it('counts every claim but shows as many as fit one message', () => {
    const mine = buildMine(
      Array.from({ length: 200 }, (_, i) => row(i + 1)),
      NOW,
    );
    expect(mine.text).toBe('You have 200 open calls.');
    expect(mine.blocks.length).toBeLessThanOrEqual(MESSAGE_MAX_BLOCKS);
  });

  it('says where to find work when there is none', () => {
    expect(buildMine([], NOW).text).toBe('You have no open calls.');
  });
});
