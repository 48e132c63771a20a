import type { InputBlock } from '@slack/types';
import { sourceLink } from '../complaints/complaint.format';
import type { Block, Modal } from '../ports/slack.port';
import {
  actions,
  button,
  context,
  customerTextSection,
  fallbackText,
  fields,
  header,
  inputBlock,
  option,
  plainText,
  section,
} from '../shared/blocks';
import { ActionIds, ActionModalBlocks, CallbackIds, OutcomeBlocks } from '../shared/ids';
import { escapeAndTruncate, mention, oneLine } from '../shared/mrkdwn';
import { ACTION_LIMITS, type Action, type ActionCard, FIX_CHECK_DAYS, themeLabel } from './action';

/** A DM: its notification text and its blocks. */
export interface ActionMessage {
  text: string;
  blocks: Block[];
}

/** How many actions one reminder lists; the rest are counted. */
export const REMINDER_MAX_ACTIONS = 15;

/** A date people read in their own time zone (Slack renders it), with a UTC fallback. */
function slackDate(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short}|${at.toISOString().slice(0, 10)}>`;
}

/** "What should change?", its theme, owner and due date: the outcome modal's optional action inputs. */
export function buildActionInputs(themes: readonly string[], executiveId: string | undefined): InputBlock[] {
  return [
    inputBlock(
      OutcomeBlocks.change,
      'What should change?',
      { type: 'plain_text_input', multiline: true, max_length: ACTION_LIMITS.description },
      true,
      'What the company should fix so this does not happen again. It becomes an action with an owner.',
    ),
    inputBlock(
      OutcomeBlocks.theme,
      'Theme',
      { type: 'static_select', options: themes.map((t) => option(t, themeLabel(t))) },
      true,
    ),
    inputBlock(
      OutcomeBlocks.actionOwner,
      'Owner',
      { type: 'users_select', ...(executiveId ? { initial_user: executiveId } : {}) },
      true,
      'Who will make the change. You, unless you choose someone else.',
    ),
    inputBlock(OutcomeBlocks.actionDue, 'Due', { type: 'datepicker' }, true),
  ];
}

/** The complaint an action came from, as one safe line: its ticket link and subject. */
function complaintLine(card: ActionCard): string {
  return `${sourceLink(card.complaint)}: ${escapeAndTruncate(oneLine(card.complaint.subject), 300)}`;
}

/** What every action message shows: what should change, the theme, the due date, who asked, the complaint. */
function summaryBlocks(card: ActionCard): Block[] {
  const { action } = card;
  return [
    customerTextSection('What should change', action.description),
    fields([
      ['Theme', escapeAndTruncate(themeLabel(action.theme), ACTION_LIMITS.theme)],
      ['Due', action.dueDate ?? '_no due date_'],
      ['Owner', mention(action.ownerId)],
      ['Asked by', mention(action.requestedBy)],
      ['Complaint', complaintLine(card)],
    ]),
  ];
}

/** The buttons of an open action (value = action id). */
function openButtons(actionId: number): Block {
  const id = String(actionId);
  return actions(
    `action_${actionId}`,
    button('Done', ActionIds.actionDone, id, 'primary'),
    button("Won't do", ActionIds.actionWontDo, id),
    button('Reassign', ActionIds.actionReassign, id),
  );
}

function openMessage(card: ActionCard): ActionMessage {
  const { action } = card;
  const reopened = action.reopenedCount > 0;
  const intro = reopened
    ? 'The fix did not hold, so this action is open again.'
    : action.requestedBy === action.ownerId
      ? 'You noted this after your call; it is on your list now.'
      : `${mention(action.requestedBy)} asked you to take this on after their call with a customer.`;
  const title = reopened ? 'Reopened: the fix did not hold' : 'An action for you';
  return {
    text: `${title}: ${fallbackText(action.description)}`,
    blocks: [
      header(title),
      section(intro),
      ...summaryBlocks(card),
      openButtons(action.id),
      context(`Done, won't do or reassign: ${mention(action.requestedBy)} hears when it closes.`),
    ],
  };
}

function fixQuestion(card: ActionCard): ActionMessage {
  const { action } = card;
  const id = String(action.id);
  const closed = action.closedAt ? ` on ${slackDate(action.closedAt)}` : '';
  return {
    text: `Did the fix hold? ${fallbackText(action.description)}`,
    blocks: [
      header('Did the fix hold?'),
      section(`This action was marked done${closed}. Has the problem stayed fixed since?`),
      ...summaryBlocks(card),
      actions(
        `action_fix_${action.id}`,
        button('Held', ActionIds.actionFixHeld, id, 'primary'),
        button('Came back', ActionIds.actionFixCameBack, id, 'danger'),
      ),
    ],
  };
}

/** How a closed action closed: who, when, and the reason for won't do. */
function closingLine(card: ActionCard): string {
  const { action } = card;
  const by = action.closedBy ? ` by ${mention(action.closedBy)}` : '';
  const on = action.closedAt ? ` on ${slackDate(action.closedAt)}` : '';
  if (action.status === 'done') return `:white_check_mark: Done${by}${on}.`;
  const reason = action.closeReason ? ` Why: ${escapeAndTruncate(oneLine(action.closeReason), 500)}` : '';
  return `:no_entry_sign: Won't do, decided${by}${on}.${reason}`;
}

function closedMessage(card: ActionCard): ActionMessage {
  const { action } = card;
  const title = action.status === 'done' ? 'Action done' : "Action closed: won't do";
  const notes = [closingLine(card)];
  if (action.fixVerdict === 'held') notes.push(':shield: The fix held.');
  return {
    text: `${title}: ${fallbackText(action.description)}`,
    blocks: [header(title), ...summaryBlocks(card), context(...notes)],
  };
}

function reassignedAway(card: ActionCard): ActionMessage {
  const { action } = card;
  const text = `Reassigned to ${mention(action.ownerId)}.`;
  return {
    text: `${text} ${fallbackText(action.description)}`,
    blocks: [header('Action reassigned'), section(`${text} It is off your list.`), ...summaryBlocks(card)],
  };
}

/**
 * The DM `recipient` acts from, in the action's current state: buttons while it is open and theirs, the "did the
 * fix hold?" question once asked, no buttons once closed or reassigned to someone else. Closing, reassigning and
 * the fix check re-render this same message.
 */
export function buildActionMessage(card: ActionCard, recipient: string): ActionMessage {
  const { action } = card;
  if (action.ownerId !== recipient) return reassignedAway(card);
  if (action.status === 'open') return openMessage(card);
  if (action.status === 'done' && action.fixCheckedAt && !action.fixVerdict) return fixQuestion(card);
  return closedMessage(card);
}

/** The DM telling the executive who asked that their action closed (done, or won't do with the reason). */
export function buildActionClosedNotice(card: ActionCard): ActionMessage {
  const { action } = card;
  const what = action.status === 'done' ? 'is done' : "won't be done";
  const text = `The action you asked of ${mention(action.ownerId)} ${what}.`;
  return {
    text: `${text} ${fallbackText(action.description)}`,
    blocks: [section(text), ...summaryBlocks(card), context(closingLine(card))],
  };
}

/** The DM telling the executive who asked that a done action's fix did not hold, so it is open again. */
export function buildActionReopenedNotice(card: ActionCard, reportedBy: string): ActionMessage {
  const text = `The fix did not hold: ${mention(reportedBy)} reopened the action you asked for.`;
  return {
    text: `${text} ${fallbackText(card.action.description)}`,
    blocks: [section(`:repeat: ${text}`), ...summaryBlocks(card)],
  };
}

/** One line of a reminder: the action, its due date, and a Done button. */
function reminderLine(card: ActionCard, today: string): Block {
  const { action } = card;
  const due = action.dueDate === today ? 'due today' : `overdue since ${action.dueDate}`;
  const what = escapeAndTruncate(oneLine(action.description), 300);
  return section(`*${what}*\n${due} · ${escapeAndTruncate(themeLabel(action.theme), 50)} · ${complaintLine(card)}`, {
    accessory: button('Done', ActionIds.actionDone, String(action.id), 'primary'),
  });
}

/** The one reminder a person gets on a day: every action of theirs that is due or overdue. */
export function buildActionReminder(cards: readonly ActionCard[], today: string): ActionMessage {
  const n = cards.length;
  const text = `Reminder: ${n} action${n === 1 ? ' is' : 's are'} due or overdue.`;
  const shown = cards.slice(0, REMINDER_MAX_ACTIONS);
  const blocks: Block[] = [section(`:alarm_clock: *${text}*`), ...shown.map((c) => reminderLine(c, today))];
  if (n > shown.length) blocks.push(context(`…and ${n - shown.length} more. \`/pickup actions\` lists them all.`));
  blocks.push(context("Won't do or reassign one? Use the buttons on its own message, or `/pickup actions`."));
  return { text, blocks };
}

/** The private answer to a click on Done, Held or Came back: what happened, and who hears of it. */
export function actionChangeReply(action: Action, userId: string): string {
  const asker = userId === action.requestedBy ? '' : ` ${mention(action.requestedBy)} is told.`;
  if (action.status === 'done') {
    return action.fixVerdict === 'held'
      ? 'Thank you: recorded that the fix held.'
      : `Marked done. In ${FIX_CHECK_DAYS} days I'll ask ${mention(action.ownerId)} whether the fix held.${asker}`;
  }
  if (action.status === 'wont_do') return `Closed as won't do.${asker}`;
  return `Reopened: it is on ${mention(action.ownerId)}'s list again.${asker}`;
}

/** The won't-do modal: the reason is required, and the executive who asked reads it. */
export function buildWontDoModal(card: ActionCard): Modal {
  return {
    type: 'modal',
    callback_id: CallbackIds.actionWontDoModal,
    private_metadata: JSON.stringify({ actionId: card.action.id }),
    title: plainText("Won't do"),
    submit: plainText('Close it'),
    close: plainText('Cancel'),
    blocks: [
      section(`*${escapeAndTruncate(oneLine(card.action.description), 500)}*`),
      inputBlock(
        ActionModalBlocks.reason,
        'Why not?',
        { type: 'plain_text_input', multiline: true, max_length: ACTION_LIMITS.closeReason },
        false,
        `${card.action.requestedBy === card.action.ownerId ? 'Kept with the action' : 'Sent to the executive who asked'}.`,
      ),
    ],
  };
}

/** The reassign modal: who should own it now. */
export function buildReassignModal(card: ActionCard): Modal {
  return {
    type: 'modal',
    callback_id: CallbackIds.actionReassignModal,
    private_metadata: JSON.stringify({ actionId: card.action.id }),
    title: plainText('Reassign'),
    submit: plainText('Reassign'),
    close: plainText('Cancel'),
    blocks: [
      section(
        `*${escapeAndTruncate(oneLine(card.action.description), 500)}*\nNow owned by ${mention(card.action.ownerId)}.`,
      ),
      inputBlock(ActionModalBlocks.newOwner, 'New owner', { type: 'users_select' }, false, 'They get a DM with it.'),
    ],
  };
}
