import type { ActionList, ActionListItem, ActionListing } from '../../src/actions/action-list';
import {
  actionItemText,
  buildActionList,
  myActionsHomeBlocks,
  openActionsHomeBlocks,
} from '../../src/actions/action-list.blocks';
import type { Block } from '../../src/ports/slack.port';
import { blockKitProblems } from '../helpers/block-kit';
import { INJECTION, liveInjections } from '../helpers/customer-text';

const ME = 'UEXEC0001';
const OTHER = 'UEXEC0002';
const PHONE = '+1 (415) 555-0123';
const EMAIL = 'grace.hopper@navy.example';

let seq = 0;
function item(overrides: Partial<ActionListItem> = {}): ActionListItem {
  seq += 1;
  return {
    id: seq,
    description: `Action ${seq}: send a status email when an export fails`,
    theme: 'product',
    owner: ME,
    requestedBy: ME,
    dueDate: '2026-12-01',
    overdue: false,
    complaintId: 100 + seq,
    subject: `Complaint ${seq}: exports fail`,
    ticketUrl: `https://help.example.com/tickets/${seq}`,
    ...overrides,
  };
}

const list = (items: ActionListItem[], total = items.length): ActionList => ({ items, total });

function listing(mine: ActionList, others: ActionList | undefined, viewer = ME): ActionListing {
  return { viewer, today: '2026-11-24', mine, others };
}

const json = (value: unknown) => JSON.stringify(value);

/** Slack takes these blocks: within `maxBlocks` and every Block Kit limit. */
function expectWithinLimits(blocks: Block[], maxBlocks: number): void {
  expect(blockKitProblems(blocks, maxBlocks)).toEqual([]);
}

describe('buildActionList (/pickup actions)', () => {
  it.each<[string, ActionListing, string[], string[]]>([
    [
      'an executive with their own and others’ actions: theirs first',
      listing(list([item({ description: 'Mine A' })]), list([item({ description: 'Theirs B', owner: OTHER })])),
      ['*Your open actions* (1)', '*Mine A*', '*Everyone else’s open actions* (1)', '*Theirs B*', `owner <@${OTHER}>`],
      [],
    ],
    [
      'someone who is not an executive: only their own, no one else’s section',
      listing(list([item({ description: 'Only mine', owner: 'UOUTSIDER', requestedBy: ME })]), undefined, 'UOUTSIDER'),
      ['*Your open actions* (1)', '*Only mine*', `asked by <@${ME}>`],
      ['Everyone else'],
    ],
    [
      'nobody owns anything',
      listing(list([]), list([])),
      ['You own no open actions.', 'nobody else owns an open action'],
      ['…and'],
    ],
    [
      'an overdue action and one without a due date',
      listing(list([item({ dueDate: '2026-11-20', overdue: true }), item({ dueDate: null })]), undefined),
      [':warning: *overdue* (due 2026-11-20)', 'no due date'],
      [],
    ],
  ])('%s', (_name, input, present, absent) => {
    const message = buildActionList(input);
    expectWithinLimits(message.blocks, 50);
    const out = json(message);
    for (const p of present) expect(out).toContain(p);
    for (const a of absent) expect(out).not.toContain(a);
    // Theirs come before everyone else's.
    if (input.others && input.mine.items[0] && input.others.items[0]) {
      expect(out.indexOf(input.mine.items[0].description)).toBeLessThan(out.indexOf(input.others.items[0].description));
    }
  });

  it('says in its fallback text how many each side owns', () => {
    expect(buildActionList(listing(list([item()]), list([item()], 7))).text).toBe(
      'You own 1 open action; everyone else owns 7.',
    );
    expect(buildActionList(listing(list([]), undefined)).text).toBe('You own 0 open actions.');
  });

  it('cuts long lists with a count of the rest, and stays within 50 blocks and the text limits', () => {
    const long = `${'Make the export tell people when it fails '.repeat(30)} <!here>`;
    const mine = list(
      Array.from({ length: 15 }, () => item({ description: long, subject: long, theme: long })),
      40,
    );
    const others = list(
      Array.from({ length: 15 }, () => item({ description: long, owner: OTHER })),
      90,
    );
    const message = buildActionList(listing(mine, others));
    expectWithinLimits(message.blocks, 50);
    const out = json(message);
    expect(out).toContain('*Your open actions* (40)');
    expect(out).toContain('…and 25 more.');
    expect(out).toContain('*Everyone else’s open actions* (90)');
    expect(out).toContain('…and 75 more.');
    expect(out).not.toContain('<!here>');
  });

  it('escapes what people typed, so it cannot ping, mention or link', () => {
    const nasty = item({ description: INJECTION, theme: INJECTION, subject: INJECTION });
    const message = buildActionList(listing(list([nasty]), list([{ ...nasty, owner: OTHER }])));
    expect(liveInjections(message)).toEqual([]);
    expect(liveInjections(myActionsHomeBlocks(list([nasty]), ME))).toEqual([]);
    expect(liveInjections(openActionsHomeBlocks(list([nasty]), ME))).toEqual([]);
    expect(json(message)).toContain('Hi &lt;!channel&gt;');
  });

  it('shows contact details only to the owner who wrote the action, redacted for everyone else', () => {
    const written = `Call back on ${PHONE} or ${EMAIL} once the fix ships`;
    const ownWritten = item({ description: written });
    const handedOver = item({ description: written, owner: ME, requestedBy: OTHER });
    const someoneElses = item({ description: written, owner: OTHER, requestedBy: OTHER, subject: `Subject ${EMAIL}` });

    expect(actionItemText(ownWritten, ME)).toContain(EMAIL);
    for (const [action, viewer] of [
      [ownWritten, OTHER],
      [handedOver, ME],
      [someoneElses, ME],
    ] as const) {
      const text = actionItemText(action, viewer);
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain('555-0123');
      expect(text).toContain('Call back on [phone] or [email] once the fix ships');
    }
  });
});

describe('App Home action sections', () => {
  it('lists the viewer’s own actions each on its own, with a count of the rest', () => {
    const blocks = myActionsHomeBlocks(list([item({ description: 'Mine' }), item()], 12), ME);
    expect(blocks[0]).toMatchObject({ type: 'section', text: { text: '*My actions* (12)' } });
    expect(blocks.filter((b) => b.type === 'section')).toHaveLength(3);
    expect(json(blocks)).toContain('…and 10 more. `/pickup actions` lists them all.');
  });

  it('packs everyone else’s actions into at most two sections, counting what did not fit', () => {
    const long = 'Fix the billing page so refunds show at once '.repeat(3);
    const many = list(
      Array.from({ length: 200 }, () => item({ description: long, owner: OTHER })),
      200,
    );
    const blocks = openActionsHomeBlocks(many, ME);
    expectWithinLimits(blocks, 3);
    const sections = blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBeLessThanOrEqual(2);
    const shown = json(sections).split('• ').length - 1;
    expect(json(blocks)).toContain(`…and ${200 - shown} more.`);
    expect(json(blocks)).toContain('*Everyone else’s open actions* (200)');
  });

  it('flags overdue lines and redacts others’ descriptions in the compact list', () => {
    const out = json(
      openActionsHomeBlocks(
        list([
          item({
            owner: OTHER,
            requestedBy: OTHER,
            description: `Ring ${PHONE}`,
            dueDate: '2026-11-01',
            overdue: true,
          }),
        ]),
        ME,
      ),
    );
    expect(out).toContain(':warning: due 2026-11-01');
    expect(out).toContain('Ring [phone]');
    expect(out).not.toContain('555-0123');
  });
});
