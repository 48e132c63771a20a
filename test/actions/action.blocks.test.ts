import { type Action, type ActionCard, DEFAULT_ACTION_THEMES } from '../../src/actions/action';
import {
  type ActionMessage,
  actionChangeReply,
  buildActionClosedNotice,
  buildActionInputs,
  buildActionMessage,
  buildActionReminder,
  buildActionReopenedNotice,
  buildReassignModal,
  buildWontDoModal,
  REMINDER_MAX_ACTIONS,
} from '../../src/actions/action.blocks';
import { toActionCard } from '../../src/actions/action.service';
import type { Complaint } from '../../src/complaints/complaint';
import { LIMITS } from '../../src/shared/blocks';
import { blockKitProblems, messageProblems, VIEW_MAX_BLOCKS, viewProblems } from '../helpers/block-kit';

const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';
const OWNER = 'UOWNER0001';
const ASKER = 'UEXEC0001';
const OTHER = 'UEXEC0002';
const T0 = new Date('2026-12-08T11:00:00Z');

const complaint: Complaint = {
  id: 42,
  source: 'zendesk',
  externalId: '1042',
  subject: `Billed twice <!channel>, call ${PHONE}`,
  priority: 'urgent',
  tags: [],
  description: 'Two charges on the card.',
  supportTried: 'Refund requested.',
  isMajor: true,
  doNotCall: false,
  customer: { name: 'Ada Lovelace', company: 'Analytical Engines', phone: PHONE, email: EMAIL, timezone: null },
  url: 'https://help.example.com/tickets/1042',
  escalatedBy: null,
  assignee: { name: null, email: null },
  receivedAt: T0,
  createdAt: T0,
  closedAt: null,
};

const action = (overrides: Partial<Action> = {}): Action => ({
  id: 7,
  complaintId: 42,
  attemptId: 3,
  description: `Refund within a day <@U999> & write to ${EMAIL}`,
  theme: 'billing',
  ownerId: OWNER,
  requestedBy: ASKER,
  dueDate: '2026-12-20',
  status: 'open',
  closeReason: null,
  closedBy: null,
  closedAt: null,
  fixCheckDueAt: null,
  fixVerdict: null,
  fixCheckedAt: null,
  reopenedCount: 0,
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

const card = (overrides: Partial<Action> = {}): ActionCard => toActionCard(action(overrides), complaint);

const done = { status: 'done' as const, closedBy: OWNER, closedAt: T0, fixCheckDueAt: T0 };

/** Every button in blocks, as `action_id=value`. */
function buttonsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(buttonsIn);
  if (typeof value !== 'object' || value === null) return [];
  const found = Object.values(value).flatMap(buttonsIn);
  const { type, action_id, value: v } = value as { type?: unknown; action_id?: unknown; value?: unknown };
  return type === 'button' ? [`${String(action_id)}=${String(v)}`, ...found] : found;
}

/** Every text in blocks (mrkdwn and plain), so limits and escaping can be checked wherever it sits. */
function textsIn(value: unknown): { type: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap(textsIn);
  if (typeof value !== 'object' || value === null) return [];
  const { type, text } = value as { type?: unknown; text?: unknown };
  const own = typeof text === 'string' && typeof type === 'string' ? [{ type, text }] : [];
  return [...own, ...Object.values(value).flatMap(textsIn)];
}

const OPEN_BUTTONS = ['action_done=7', 'action_wont_do=7', 'action_reassign=7'];

const scenarios: [name: string, build: () => ActionMessage, buttons: string[], says: string[]][] = [
  ['open, for its owner', () => buildActionMessage(card(), OWNER), OPEN_BUTTONS, ['asked you to take this on']],
  [
    'open, the executive’s own',
    () => buildActionMessage(card({ ownerId: ASKER }), ASKER),
    OPEN_BUTTONS,
    ['You noted this after your call'],
  ],
  [
    'reassigned, for the old owner',
    () => buildActionMessage(card({ ownerId: OTHER }), OWNER),
    [],
    [`Reassigned to <@${OTHER}>`],
  ],
  ['done', () => buildActionMessage(card(done), OWNER), [], ['Done by <@UOWNER0001>', '<!date^']],
  [
    'done, asked whether the fix held',
    () => buildActionMessage(card({ ...done, fixCheckedAt: T0 }), OWNER),
    ['action_fix_held=7', 'action_fix_came_back=7'],
    ['Did the fix hold?'],
  ],
  [
    'done, the fix held',
    () => buildActionMessage(card({ ...done, fixCheckedAt: T0, fixVerdict: 'held' }), OWNER),
    [],
    ['The fix held'],
  ],
  [
    "won't do, with a hostile reason",
    () =>
      buildActionMessage(
        card({ status: 'wont_do', closedBy: OWNER, closedAt: T0, closeReason: `<!here> ${'no '.repeat(400)}` }),
        OWNER,
      ),
    [],
    ["Won't do", '&lt;!here&gt;'],
  ],
  ['reopened', () => buildActionMessage(card({ reopenedCount: 1 }), OWNER), OPEN_BUTTONS, ['did not hold']],
  ['closed notice, done', () => buildActionClosedNotice(card(done)), [], ['is done']],
  [
    "closed notice, won't do",
    () => buildActionClosedNotice(card({ status: 'wont_do', closedBy: OWNER, closeReason: 'No budget' })),
    [],
    ["won't be done", 'No budget'],
  ],
  ['reopened notice', () => buildActionReopenedNotice(card({ reopenedCount: 1 }), OWNER), [], ['did not hold']],
  [
    'reminder, one due today',
    () => buildActionReminder([card({ dueDate: '2026-12-08' })], '2026-12-08'),
    ['action_done=7'],
    ['1 action is due', 'due today'],
  ],
  [
    'reminder, more than fit',
    () =>
      buildActionReminder(
        Array.from({ length: REMINDER_MAX_ACTIONS + 5 }, (_, i) => card({ id: i + 1, dueDate: '2026-12-01' })),
        '2026-12-08',
      ),
    Array.from({ length: REMINDER_MAX_ACTIONS }, (_, i) => `action_done=${i + 1}`),
    ['20 actions are due', 'overdue since 2026-12-01', '…and 5 more'],
  ],
];

describe.each(scenarios)('action message: %s', (_name, build, buttons, says) => {
  const message = build();
  const json = JSON.stringify(message);

  it('has the buttons of its state, each carrying the action id', () => {
    expect(buttonsIn(message.blocks)).toEqual(buttons);
  });

  it('says what happened', () => {
    for (const s of says) expect(json).toContain(s);
  });

  it('never carries the customer’s phone or email, and escapes text that could ping', () => {
    expect(json).not.toContain(PHONE);
    expect(json).not.toContain(EMAIL);
    expect(json).not.toMatch(/<!channel>|<!here>|<@U999>/);
    expect(json).toContain('&lt;');
  });

  it('is Block Kit that Slack accepts', () => {
    expect(messageProblems(message)).toEqual([]);
  });

  it('fits Block Kit’s limits', () => {
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    for (const { type, text } of textsIn(message.blocks)) {
      expect(text.length).toBeLessThanOrEqual(type === 'plain_text' ? LIMITS.headerText : LIMITS.sectionText);
    }
  });
});

describe('a very long action', () => {
  it('is cut to fit, never mid-entity', () => {
    const long = buildActionMessage(card({ description: '<&>'.repeat(3000) }), OWNER);
    for (const { text } of textsIn(long.blocks)) {
      expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(text).not.toMatch(/&[a-z]{0,3}…/);
    }
  });
});

describe('the modals', () => {
  it.each([
    ["won't do", buildWontDoModal, 'action_wont_do_modal', 'reason'],
    ['reassign', buildReassignModal, 'action_reassign_modal', 'new_owner'],
  ])('%s carries the action id and asks for its input', (_name, build, callbackId, blockId) => {
    const view = build(card());
    expect(view).toMatchObject({ type: 'modal', callback_id: callbackId, private_metadata: '{"actionId":7}' });
    expect(viewProblems(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain(`"block_id":"${blockId}"`);
    expect(JSON.stringify(view)).not.toContain(EMAIL);
    expect(JSON.stringify(view)).not.toContain('<@U999>');
  });
});

describe('the outcome modal’s action inputs', () => {
  it('offers the themes, the executive as default owner, and a due date, all optional', () => {
    const blocks = buildActionInputs(DEFAULT_ACTION_THEMES, ASKER);
    expect(blockKitProblems(blocks, VIEW_MAX_BLOCKS)).toEqual([]);
    expect(blocks.map((b) => b.block_id)).toEqual(['change', 'theme', 'action_owner', 'action_due']);
    expect(blocks.every((b) => b.optional === true)).toBe(true);
    const json = JSON.stringify(blocks);
    expect(json).toContain('"initial_user":"UEXEC0001"');
    for (const theme of ['Product', 'Billing', 'Delivery', 'Support process', 'Communication', 'Other']) {
      expect(json).toContain(`"text":"${theme}"`);
    }
  });

  it('leaves the owner empty when the executive is not known', () => {
    expect(JSON.stringify(buildActionInputs(['product'], undefined))).not.toContain('initial_user');
  });
});

describe('actionChangeReply', () => {
  it.each([
    [action(done), OWNER, `Marked done. In 30 days I'll ask <@${OWNER}> whether the fix held. <@${ASKER}> is told.`],
    [action(done), ASKER, `Marked done. In 30 days I'll ask <@${OWNER}> whether the fix held.`],
    [action({ ...done, fixVerdict: 'held' }), OWNER, 'Thank you: recorded that the fix held.'],
    [action({ reopenedCount: 1 }), OWNER, `Reopened: it is on <@${OWNER}>'s list again. <@${ASKER}> is told.`],
  ])('%#', (a, userId, expected) => {
    expect(actionChangeReply(a, userId)).toBe(expected);
  });
});
