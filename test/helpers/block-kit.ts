/**
 * The Block Kit check: what real Slack refuses with `invalid_blocks` (shared/reference/slack-limits.md and the Block
 * Kit reference), for the blocks and elements Pickup builds. The fake Slack answers with it, so an end-to-end test
 * fails the way production would, and builder tests assert that their output passes it. Slack's own validator
 * (`blocks.validate`) is a Web API call, which tests cannot make.
 */

type Json = Record<string, unknown>;

/** Blocks Slack takes in one message. */
export const MESSAGE_MAX_BLOCKS = 50;
/** Blocks Slack takes in a modal or an App Home tab. */
export const VIEW_MAX_BLOCKS = 100;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Problems of a text object (`{ type, text }`) at `at`: its type, that it is not empty, and its length. */
function textProblems(value: unknown, at: string, max: number, plainOnly = false): string[] {
  if (!isRecord(value)) return [`text object missing ${at}`];
  const types = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  const problems: string[] = [];
  if (!types.includes(String(value.type))) problems.push(`text type must be ${types.join(' or ')} ${at}`);
  const text = str(value.text) ?? '';
  if (text.length === 0) problems.push(`text must not be empty ${at}`);
  if (text.length > max) problems.push(`text longer than ${max} ${at}`);
  return problems;
}

/** Problems of a select's or checkbox group's options: how many, and each option's text and value. */
function optionProblems(element: Json, at: string): string[] {
  const options = Array.isArray(element.options) ? element.options : [];
  const max = element.type === 'checkboxes' || element.type === 'radio_buttons' ? 10 : 100;
  const problems = options.length > max ? [`more than ${max} options ${at}`] : [];
  const all = [...options, ...(isRecord(element.initial_option) ? [element.initial_option] : [])];
  all.forEach((option: unknown, k) => {
    if (!isRecord(option)) {
      problems.push(`option must be an object ${at}/options/${k}`);
      return;
    }
    problems.push(...textProblems(option.text, `${at}/options/${k}/text`, 75));
    if ((str(option.value)?.length ?? 0) > 150) problems.push(`option value longer than 150 ${at}/options/${k}`);
  });
  return problems;
}

/** Problems of one interactive element (a button, select, checkbox group, text input, date picker). */
function elementProblems(element: unknown, at: string): string[] {
  if (!isRecord(element)) return [`element must be an object ${at}`];
  const problems: string[] = [];
  if ((str(element.action_id)?.length ?? 0) > 255) problems.push(`action_id longer than 255 ${at}`);
  switch (element.type) {
    case 'button':
      problems.push(...textProblems(element.text, `${at}/text`, 75, true));
      if ((str(element.value)?.length ?? 0) > 2000) problems.push(`button value longer than 2000 ${at}`);
      if ((str(element.url)?.length ?? 0) > 3000) problems.push(`button url longer than 3000 ${at}`);
      break;
    case 'static_select':
    case 'checkboxes':
    case 'radio_buttons':
      problems.push(...optionProblems(element, at));
      break;
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? element.max_length : 3000;
      if (max > 3000) problems.push(`max_length above 3000 ${at}`);
      if ((str(element.initial_value)?.length ?? 0) > max) problems.push(`initial_value longer than max_length ${at}`);
      break;
    }
  }
  return problems;
}

/** Problems of one block at `at`, by its type. */
function oneBlockProblems(block: Json, at: string): string[] {
  const problems: string[] = [];
  switch (block.type) {
    case 'section': {
      const fields = Array.isArray(block.fields) ? block.fields : undefined;
      if (block.text === undefined && fields === undefined) problems.push(`section needs text or fields ${at}`);
      if (block.text !== undefined) problems.push(...textProblems(block.text, `${at}/text`, 3000));
      if (fields && fields.length > 10) problems.push(`more than 10 fields ${at}`);
      fields?.forEach((field: unknown, j) => {
        problems.push(...textProblems(field, `${at}/fields/${j}`, 2000));
      });
      if (block.accessory !== undefined) problems.push(...elementProblems(block.accessory, `${at}/accessory`));
      break;
    }
    case 'header':
      problems.push(...textProblems(block.text, `${at}/text`, 150, true));
      break;
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > 10) problems.push(`context needs 1 to 10 elements ${at}`);
      elements.forEach((element: unknown, j) => {
        problems.push(...textProblems(element, `${at}/elements/${j}`, 3000));
      });
      break;
    }
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > 25) problems.push(`actions needs 1 to 25 elements ${at}`);
      elements.forEach((element: unknown, j) => {
        problems.push(...elementProblems(element, `${at}/elements/${j}`));
      });
      // Slack: "action_id … should be unique among all other action_ids in the containing block".
      const ids = elements.map((e: { action_id?: unknown }) => e?.action_id).filter((id) => id !== undefined);
      if (new Set(ids).size !== ids.length) problems.push(`action_ids must be unique within the block ${at}`);
      break;
    }
    case 'input':
      problems.push(...textProblems(block.label, `${at}/label`, 2000, true));
      if (block.hint !== undefined) problems.push(...textProblems(block.hint, `${at}/hint`, 2000, true));
      problems.push(...elementProblems(block.element, `${at}/element`));
      break;
  }
  return problems;
}

/** What Slack would refuse in a list of blocks at most `maxBlocks` long; empty when it would take them. */
export function blockKitProblems(blocks: unknown, maxBlocks: number): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`too many blocks: ${blocks.length} > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, i) => {
    const at = `[json-pointer:/blocks/${i}]`;
    if (!isRecord(block)) {
      problems.push(`block must be an object ${at}`);
      return;
    }
    const blockId = str(block.block_id);
    if (blockId !== undefined) {
      if (blockId.length > 255) problems.push(`block_id longer than 255 ${at}`);
      if (blockIds.has(blockId)) problems.push(`duplicate block_id ${blockId} ${at}`);
      blockIds.add(blockId);
    }
    problems.push(...oneBlockProblems(block, at));
  });
  return problems;
}

/** What Slack would refuse in a message with blocks: its blocks, and fallback `text` missing (notifications need it). */
export function messageProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  const text = str(message.text);
  if (message.blocks !== undefined && !text) problems.push('a message with blocks should carry fallback text');
  if (message.blocks !== undefined) problems.push(...blockKitProblems(message.blocks, MESSAGE_MAX_BLOCKS));
  return problems;
}

/**
 * What Slack would refuse in a view (a modal or an App Home tab): its blocks, a modal's title, submit and close
 * (24 each, submit required with inputs), `private_metadata` (3000) and `callback_id` (255).
 */
export function viewProblems(view: unknown): string[] {
  if (!isRecord(view)) return ['view must be an object'];
  const limit = view.type === 'home' || view.type === 'modal' ? VIEW_MAX_BLOCKS : MESSAGE_MAX_BLOCKS;
  const problems = blockKitProblems(view.blocks ?? [], limit);
  if (view.type === 'modal') {
    problems.push(...textProblems(view.title, '[json-pointer:/view/title]', 24, true));
    for (const key of ['submit', 'close'] as const) {
      if (view[key] !== undefined) problems.push(...textProblems(view[key], `[json-pointer:/view/${key}]`, 24, true));
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) problems.push('a modal with inputs needs submit [json-pointer:/view]');
  }
  if ((str(view.private_metadata)?.length ?? 0) > 3000) problems.push('private_metadata longer than 3000');
  if ((str(view.callback_id)?.length ?? 0) > 255) problems.push('callback_id longer than 255');
  return problems;
}

/** What Slack would refuse in a builder's output: a view (modal or App Home) or a message, told apart by `type`. */
export function slackProblems(output: unknown): string[] {
  const isView = isRecord(output) && (output.type === 'modal' || output.type === 'home');
  return isView ? viewProblems(output) : messageProblems(isRecord(output) ? output : {});
}
