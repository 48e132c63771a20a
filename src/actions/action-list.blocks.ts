import type { Block } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import { context, divider, LIMITS, section } from '../shared/blocks';
import { escapeAndTruncate, link, mention, oneLine, truncate } from '../shared/mrkdwn';
import { themeLabel } from './action';
import { type ActionList, type ActionListItem, type ActionListing, descriptionAsWritten } from './action-list';

const DESCRIPTION_MAX = 300;
const SUBJECT_MAX = 120;

/** "due 2026-12-01", flagged when it has passed; "no due date" otherwise. */
function dueLabel(item: Pick<ActionListItem, 'dueDate' | 'overdue'>): string {
  if (item.dueDate === null) return 'no due date';
  return item.overdue ? `:warning: *overdue* (due ${item.dueDate})` : `due ${item.dueDate}`;
}

/** The complaint it came from, linked to its ticket; the subject is customer text, so cut and escaped by link(). */
function fromComplaint(item: Pick<ActionListItem, 'subject' | 'ticketUrl'>): string {
  const url = item.ticketUrl === null ? null : redactText(item.ticketUrl);
  return `from ${link(url, truncate(redactText(oneLine(item.subject)), SUBJECT_MAX))}`;
}

/**
 * The description, one line, escaped and cut. The service has already redacted it for everyone but the owner who
 * wrote it; redacting again here keeps a builder handed raw text from leaking (as every channel builder does).
 */
function description(item: ActionListItem, viewer: string, max: number): string {
  const text = oneLine(item.description);
  return escapeAndTruncate(descriptionAsWritten(item, viewer) ? text : redactText(text), max);
}

/**
 * One action as mrkdwn: the description (escaped, cut), then theme, owner (unless it is the viewer's own list),
 * who asked when that is someone else, the due date and the complaint. Text is already redacted by the service.
 */
export function actionItemText(item: ActionListItem, viewer: string): string {
  const meta = [
    escapeAndTruncate(oneLine(themeLabel(item.theme)), 60),
    ...(item.owner === viewer ? [] : [`owner ${mention(item.owner)}`]),
    ...(item.requestedBy === viewer || item.requestedBy === item.owner
      ? []
      : [`asked by ${mention(item.requestedBy)}`]),
    dueLabel(item),
    fromComplaint(item),
  ];
  return `*${description(item, viewer, DESCRIPTION_MAX)}*\n${meta.join(' · ')}`;
}

/** "…and N more." under a list cut short, with where to see them. */
function moreLine(list: ActionList, hint: string): Block[] {
  const more = Math.max(list.total, list.items.length) - list.items.length;
  return more > 0 ? [context(`…and ${more} more. ${hint}`)] : [];
}

/**
 * `/pickup actions`: the viewer's open actions first, each on its own, then (for executives) everyone else's,
 * each list cut with a count of the rest. Within a message's 50 blocks for the list limits of the service.
 */
export function buildActionList(listing: ActionListing): { text: string; blocks: Block[] } {
  const { mine, others, viewer } = listing;
  const blocks: Block[] = [];
  if (mine.total === 0) blocks.push(section('*Your open actions*\nYou own no open actions.'));
  else {
    blocks.push(section(`*Your open actions* (${mine.total})`));
    for (const item of mine.items) blocks.push(section(actionItemText(item, viewer)));
    blocks.push(...moreLine(mine, 'Close the ones you have done from the DM Pickup sent you.'));
  }
  if (others !== undefined) {
    blocks.push(divider);
    if (others.total === 0)
      blocks.push(section('*Everyone else’s open actions*\nNone: nobody else owns an open action.'));
    else {
      blocks.push(section(`*Everyone else’s open actions* (${others.total})`));
      for (const item of others.items) blocks.push(section(actionItemText(item, viewer)));
      blocks.push(...moreLine(others, 'App Home lists them too.'));
    }
  }
  const text =
    `You own ${mine.total} open action${mine.total === 1 ? '' : 's'}` +
    (others === undefined ? '.' : `; everyone else owns ${others.total}.`);
  return { text, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** App Home's "My actions": each of the viewer's open actions on its own, cut with a count. */
export function myActionsHomeBlocks(list: ActionList, viewer: string): Block[] {
  return [
    section(`*My actions* (${list.total})`),
    ...list.items.map((item) => section(actionItemText(item, viewer))),
    ...moreLine(list, '`/pickup actions` lists them all.'),
  ];
}

/** One line of the compact list: description, theme, owner, due date. */
function compactLine(item: ActionListItem, viewer: string): string {
  const due = item.dueDate === null ? '' : item.overdue ? ` · :warning: due ${item.dueDate}` : ` · due ${item.dueDate}`;
  return `• ${description(item, viewer, 150)} · ${escapeAndTruncate(oneLine(themeLabel(item.theme)), 60)} · ${mention(item.owner)}${due}`;
}

/**
 * App Home's compact list of everyone else's open actions, for executives: lines packed into one section (a
 * second when they do not fit), cut with a count.
 */
export function openActionsHomeBlocks(list: ActionList, viewer: string): Block[] {
  const budget = LIMITS.sectionText - 100;
  const texts: string[] = [`*Everyone else’s open actions* (${list.total})`];
  let shown = 0;
  for (const line of list.items.map((item) => compactLine(item, viewer))) {
    const last = texts.length - 1;
    if ((texts[last] ?? '').length + line.length + 1 <= budget) texts[last] = `${texts[last]}\n${line}`;
    else if (texts.length < 2) texts.push(line);
    else break;
    shown += 1;
  }
  const more = Math.max(list.total, list.items.length) - shown;
  return [
    ...texts.map((t) => section(t)),
    ...(more > 0 ? [context(`…and ${more} more. \`/pickup actions\` lists them.`)] : []),
  ];
}
