import type { Complaint } from '../complaints/complaint';
import { customerLabel, priorityLabel, sourceLink, withoutContacts } from '../complaints/complaint.format';
import type { Block } from '../ports/slack.port';
import { button, context, section } from '../shared/blocks';
import { ActionIds } from '../shared/ids';
import { escapeAndTruncate, oneLine } from '../shared/mrkdwn';
import { ageLabel } from '../shared/time';

/** `/pickup queue`: the newest eligible complaints (without contact details) with claim buttons, and how many more wait. */
export function buildQueue(complaints: Complaint[], total: number, now: Date): { text: string; blocks: Block[] } {
  if (complaints.length === 0) {
    return { text: 'No eligible complaints right now.', blocks: [section('No eligible complaints right now. :tada:')] };
  }
  const blocks: Block[] = [section(`*${total} eligible complaint${total === 1 ? '' : 's'}*, newest first:`)];
  for (const c of complaints.map(withoutContacts)) {
    blocks.push(
      section(
        `*${escapeAndTruncate(oneLine(c.subject), 300)}*\n${customerLabel(c)} · ${priorityLabel(c.priority)} · ${ageLabel(c.receivedAt, now)} · ${sourceLink(c)}`,
        { accessory: button("I'll call them", ActionIds.claimComplaint, String(c.id), 'primary') },
      ),
    );
  }
  const rest = total - complaints.length;
  if (rest > 0) blocks.push(context(`…and ${rest} more in the pool for the daily pick.`));
  return { text: `${total} eligible complaints`, blocks };
}

/** `/pickup mine`: an executive's open claims with "Log outcome". */
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
      .map((s) => oneLine(String(s)))
      .join(', ');
    blocks.push(
      section(
        `*${escapeAndTruncate(oneLine(c.subject), 300)}*\n${escapeAndTruncate(who || 'customer', 200)} · claimed ${ageLabel(c.claimed_at, now)} · ${c.attempts ?? 0} attempt(s)`,
        { accessory: button('Log outcome', ActionIds.logOutcome, String(c.claim_id), 'primary') },
      ),
    );
  }
  return { text: `You have ${claims.length} open calls.`, blocks };
}
