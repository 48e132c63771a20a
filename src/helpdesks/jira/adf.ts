// Atlassian Document Format (ADF): the rich-text tree of Jira Cloud's REST API v3, in descriptions and comments.
// Read by the webhook adapter (descriptions) and the API client (comments); written by the client (notes).

// Block nodes end a line; everything else is inline and runs on.
const ADF_BLOCKS = new Set([
  'paragraph',
  'heading',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'tableRow',
  'panel',
]);

// Real documents nest a handful of levels; the cap keeps a hostile one from overflowing the stack.
const ADF_MAX_DEPTH = 64;

/** The text of an ADF tree: block nodes end a line, list items start with "- ", mentions and cards show their text. */
export function adfToText(node: unknown, depth = 0): string {
  if (typeof node !== 'object' || node === null || depth > ADF_MAX_DEPTH) return '';
  const {
    type,
    text: value,
    attrs,
    content,
  } = node as { type?: unknown; text?: unknown; attrs?: unknown; content?: unknown };
  if (type === 'text') return typeof value === 'string' ? value : '';
  if (type === 'hardBreak') return '\n';
  if (type === 'mention' || type === 'emoji' || type === 'inlineCard') {
    // These carry their visible text (or link) in attrs rather than in text nodes.
    const a = (typeof attrs === 'object' && attrs !== null ? attrs : {}) as { text?: unknown; url?: unknown };
    const shown = a.text ?? a.url;
    return typeof shown === 'string' ? shown : '';
  }
  const inner = Array.isArray(content) ? content.map((child) => adfToText(child, depth + 1)).join('') : '';
  const prefix = type === 'listItem' ? '- ' : '';
  return typeof type === 'string' && ADF_BLOCKS.has(type) ? `${prefix}${inner}\n` : inner;
}

/** An ADF document as Jira's REST API v3 takes it. */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

interface AdfParagraph {
  type: 'paragraph';
  content: ({ type: 'text'; text: string } | { type: 'hardBreak' })[];
}

/**
 * Plain text as an ADF document: a paragraph for each blank-line-separated block, a hard break for each line break.
 * Text nodes carry the text as it is, so nothing in it is read as markup; ADF refuses empty text nodes, so there are
 * none.
 */
export function textToAdf(text: string): AdfDocument {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean);
  return {
    type: 'doc',
    version: 1,
    content: blocks.map((block) => ({
      type: 'paragraph',
      content: block.split('\n').flatMap((line, i) => {
        const nodes: AdfParagraph['content'] = i > 0 ? [{ type: 'hardBreak' }] : [];
        return line ? [...nodes, { type: 'text' as const, text: line }] : nodes;
      }),
    })),
  };
}
