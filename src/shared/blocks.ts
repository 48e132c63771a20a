// Type-only, like the port's Block: the compiler checks each helper against Slack's published Block Kit schema.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  InputBlock,
  InputBlockElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
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
  optionText: 75,
  optionValue: 150,
  fallbackText: 3000,
} as const;

/** Plain text (no mrkdwn, so nothing to escape), cut to `max` when given. */
export function plainText(text: string, max?: number): PlainTextElement {
  return { type: 'plain_text', text: max === undefined ? text : truncate(text, max) };
}

/** A header; plain text needs no escaping but must fit. */
export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

/** A mrkdwn section from text that is already safe (escaped customer parts, our own markup). */
export function section(mrkdwn: string, extra: Pick<SectionBlock, 'accessory' | 'block_id'> = {}): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(mrkdwn, LIMITS.sectionText) }, ...extra };
}

/** A section of label/value fields; values are already-safe mrkdwn. At most 10 fields. */
export function fields(pairs: [label: string, value: string][]): SectionBlock {
  return {
    type: 'section',
    fields: pairs.slice(0, 10).map(([label, value]) => ({
      type: 'mrkdwn',
      text: truncateMrkdwn(`*${label}*\n${value}`, LIMITS.fieldText),
    })),
  };
}

/** A section holding customer text, escaped and cut to fit with its label. */
export function customerTextSection(label: string, text: string): SectionBlock {
  const prefix = `*${label}*\n`;
  return section(prefix + escapeAndTruncate(text, LIMITS.sectionText - prefix.length));
}

/** A context line of mrkdwn elements (at most 10). */
export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn', text: truncateMrkdwn(t, LIMITS.sectionText) })),
  };
}

/** A button. */
export function button(text: string, actionId: string, value: string, style?: Button['style']): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value: value.slice(0, LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

/** An actions block. */
export function actions(blockId: string, ...elements: ActionsBlockElement[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/**
 * A modal input block. Its element always gets INPUT_ACTION_ID, so a submission's value sits at
 * `values[block_id].value` whatever the element.
 */
export function inputBlock(
  blockId: string,
  label: string,
  element: InputBlockElement,
  optional = false,
  hint?: string,
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: plainText(label),
    element: { ...element, action_id: INPUT_ACTION_ID },
    ...(hint ? { hint: plainText(hint) } : {}),
  };
}

/** An option of a select or checkbox group, its text and value cut to Slack's limits. */
export function option(value: string, text: string): PlainTextOption {
  return { text: plainText(text, LIMITS.optionText), value: value.slice(0, LIMITS.optionValue) };
}

/** A divider. */
export const divider: DividerBlock = { type: 'divider' };

/** Fallback text for notifications: plain, single-line, escaped. */
export function fallbackText(text: string): string {
  return escapeAndTruncate(text.replace(/\s+/g, ' ').trim(), 300);
}

/** A link that opens blocks in Slack's Block Kit Builder, to preview a message without posting it. */
export function blockKitBuilderUrl(blocks: readonly Block[]): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks }))}`;
}
