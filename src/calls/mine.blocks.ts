import type { Block } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import { button, section } from '../shared/blocks';
import { ActionIds } from '../shared/ids';
import { escapeAndTruncate, oneLine } from '../shared/mrkdwn';
import { ageLabel } from '../shared/time';

/**
 * `/pickup mine`: an executive's open claims with "Log outcome". It answers in a channel, so the customer's text shows
 * without contact details (the brief DM carries those).
 */
export function buildMine(
  claims: {
    claim_id: number;
    subject: string;
    customer_name: string | null;
    customer_company: string | null;
    attempts: number | null;
    claimed_at: Date;
  }[],
  now: Date,
): { text: string; blocks: Block[] } {
  if (claims.length === 0)
    return {
      text: 'You have no open calls.',
      blocks: [section('You have no open calls. `/pickup queue` lists complaints you can take.')],
    };
  const blocks: Block[] = [section(`*Your open calls (${claims.length})*`)];
  for (const c of claims.slice(0, 40)) {
    const who = [c.customer_name, c.customer_company]
      .filter(Boolean)
      .map((s) => redactText(oneLine(String(s))))
      .join(', ');
    blocks.push(
      section(
        `*${escapeAndTruncate(redactText(oneLine(c.subject)), 300)}*\n${escapeAndTruncate(who || 'customer', 200)} · claimed ${ageLabel(c.claimed_at, now)} · ${c.attempts ?? 0} attempt(s)`,
        { accessory: button('Log outcome', ActionIds.logOutcome, String(c.claim_id), 'primary') },
      ),
    );
  }
  return { text: `You have ${claims.length} open calls.`, blocks };
}
