/**
 * Escapes text for Slack mrkdwn, so customer text shows literally: `<!channel>`, `<@U1>` and `<url|label>`
 * cannot ping or link. Every piece of customer-supplied text passes through here before it reaches Slack.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most `max` characters, with an ellipsis when cut. Counts UTF-16 units as Slack does,
 * and never splits a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Escapes, then truncates to fit a Block Kit limit. Escaping first matters: `&lt;` is longer than `<`,
 * and a cut must not leave a half entity, so a trailing partial `&…` is dropped.
 */
export function escapeAndTruncate(text: string, max: number): string {
  return truncateMrkdwn(escapeMrkdwn(text), max);
}

/**
 * Cuts mrkdwn that is already safe (escaped text, our own links and mentions) to `max`, never leaving half an
 * entity (`&am…`) or an unclosed `<link|…` or `<@mention`, which Slack would render as garbage or refuse.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = truncate(text, max);
  cut = cut.replace(/&[a-z#0-9]{0,4}…$/, '…');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = `${cut.slice(0, open)}…`;
  return cut;
}

/** Makes customer text single-line for list items and headers: newlines and runs of space become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A mention of a Slack user (IDs are ours, never customer text). */
export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** A link whose label is customer text: the label is escaped, the URL must be http(s) or it is dropped. */
export function link(url: string | null | undefined, label: string): string {
  const safeLabel = escapeMrkdwn(label).replace(/\|/g, '¦');
  if (!url || !/^https?:\/\//i.test(url)) return safeLabel;
  const safeUrl = url.replace(/[<>|\s]/g, encodeURIComponent);
  return `<${safeUrl}|${safeLabel}>`;
}
