const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntity(entity: string, body: string): string {
  if (body.startsWith('#')) {
    const code =
      body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
    // A code point out of range would make fromCodePoint throw; keep the text as the vendor sent it.
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
}

/** Collapses each whitespace run to one space, or to one line break when the run spans lines. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, (run) => (run.includes('\n') ? '\n' : ' ')).trim();
}

/**
 * Turns a vendor's HTML description into plain text fit for Slack: block ends become line breaks, list items
 * become "- " lines, tags go, common entities are decoded, whitespace is collapsed. Not a sanitiser: the result is
 * text, and whoever renders it must still escape it.
 */
export function htmlToText(html: string): string {
  const text = html
    // Scripts, styles and comments hold no words meant for a reader.
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr|blockquote|pre)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    // Only real tags (a letter after "<"), so plain text such as "a < b" survives.
    .replace(/<\/?[a-z][^>]*>/gi, '')
    // One pass, so "&amp;lt;" becomes "&lt;" and not "<".
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, decodeEntity);
  // Pretty-printed HTML puts a line break between <li> and its text; keep the bullet on the text's line.
  return collapseWhitespace(text).replace(/^-\n/gm, '- ');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML body, so what a note says is shown, never interpreted. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Plain text as the HTML body of a note (Freshdesk, Intercom, Help Scout): escaped, each blank-line-separated
 * paragraph a `<p>`, single line breaks `<br>`.
 */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
}
