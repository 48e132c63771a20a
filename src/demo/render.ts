import type { Block } from '../ports/slack.port';

type TextObject = { text?: string };
type Element = { type?: string; text?: TextObject | string; action_id?: string; alt_text?: string };

/** Undoes mrkdwn escaping and shows links and mentions as a terminal reader expects them. */
function plain(mrkdwn: string): string {
  return mrkdwn
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(tel|mailto):[^|>]+\|([^>]+)>/g, '$2')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<!subteam\^([A-Z0-9]+)>/g, '@$1')
    .replace(/<!date\^[^|>]+\|([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const textOf = (t: TextObject | string | undefined) => plain(typeof t === 'string' ? t : (t?.text ?? ''));

function element(e: Element): string {
  if (e.type === 'button') return `[ ${textOf(e.text)} ]`;
  if (e.type === 'image') return `[image: ${e.alt_text ?? ''}]`;
  return textOf(e.text);
}

/** Renders Block Kit as readable text: what a person would see in Slack, give or take the styling. */
export function renderBlocks(blocks: readonly Block[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    const b = block as {
      type?: string;
      text?: TextObject;
      fields?: TextObject[];
      elements?: Element[];
      accessory?: Element;
      label?: TextObject;
    };
    switch (b.type) {
      case 'header':
        lines.push(textOf(b.text).toUpperCase(), '');
        break;
      case 'section':
        if (b.text) lines.push(textOf(b.text));
        for (const f of b.fields ?? []) lines.push(`  ${textOf(f).replace('\n', ': ')}`);
        if (b.accessory) lines.push(`  ${element(b.accessory)}`);
        lines.push('');
        break;
      case 'context':
        lines.push(`  ${(b.elements ?? []).map(element).join('  ·  ')}`, '');
        break;
      case 'actions':
        lines.push((b.elements ?? []).map(element).join('  '), '');
        break;
      case 'divider':
        lines.push('────────', '');
        break;
      case 'input':
        lines.push(`▸ ${textOf(b.label)}: ____`);
        break;
      default:
        lines.push(`(${b.type ?? 'block'})`);
    }
  }
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
