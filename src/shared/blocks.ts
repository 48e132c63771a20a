import type { Block } from '../ports/slack.port';
import { INPUT_ACTION_ID } from './ids';
import { escapeAndTruncate, truncate, truncateMrkdwn } from './mrkdwn';

/** Block Kit limits Pickup builds within (Slack answers invalid_blocks past them). */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  contextElements: 10,
  modalTitle: 24,
  fallbackText: 3000,
} as const;

/** A header; plain text needs no escaping but must fit. */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

/** A mrkdwn section from text that is already safe (escaped customer parts, our own markup). */
export function section(mrkdwn: string, extra: Record<string, unknown> = {}): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(mrkdwn, LIMITS.sectionText) }, ...extra };
}

/** A section of label/value fields; values are already-safe mrkdwn. At most 10 fields. */
export function fields(pairs: [label: string, value: string][]): Block {
  return {
    type: 'section',
    fields: pairs.slice(0, 10).map(([label, value]) => ({
      type: 'mrkdwn',
      text: truncateMrkdwn(`*${label}*\n${value}`, LIMITS.fieldText),
    })),
  };
}

/** A section holding customer text, escaped and cut to fit with its label. */
export function customerTextSection(label: string, text: string): Block {
  const prefix = `*${label}*\n`;
  return section(prefix + escapeAndTruncate(text, LIMITS.sectionText - prefix.length));
}

/** A context line of mrkdwn elements (at most 10). */
export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn', text: truncateMrkdwn(t, LIMITS.sectionText) })),
  };
}

/** A button. */
export function button(
  text: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
): Record<string, unknown> {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value: value.slice(0, LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

/** An actions block. */
export function actions(blockId: string, ...elements: Record<string, unknown>[]): Block {
  return { type: 'actions', block_id: blockId, elements };
}

/**
 * A modal input block. Its element always gets INPUT_ACTION_ID, so a submission's value sits at
 * `values[block_id].value` whatever the element.
 */
export function inputBlock(
  blockId: string,
  label: string,
  element: Record<string, unknown>,
  optional = false,
  hint?: string,
): Block {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: { type: 'plain_text', text: label },
    element: { action_id: INPUT_ACTION_ID, ...element },
    ...(hint ? { hint: { type: 'plain_text', text: hint } } : {}),
  };
}

/** A divider. */
export const divider: Block = { type: 'divider' };

/** Fallback text for notifications: plain, single-line, escaped. */
export function fallbackText(text: string): string {
  return escapeAndTruncate(text.replace(/\s+/g, ' ').trim(), 300);
}
