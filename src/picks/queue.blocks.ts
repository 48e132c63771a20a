import type { Complaint } from '../complaints/complaint';
import { customerLabel, priorityLabel, sourceLink, withoutContacts } from '../complaints/complaint.format';
import type { Block } from '../ports/slack.port';
import { button, context, LIMITS, section } from '../shared/blocks';
import { ActionIds } from '../shared/ids';
import { escapeAndTruncate, oneLine } from '../shared/mrkdwn';
import { ageLabel } from '../shared/time';

/**
 * `/pickup queue`: the newest eligible complaints (without contact details) with claim buttons, and how many more wait.
 * However many it is given, it lists only as many as fit one message beside its title and that count.
 */
export function buildQueue(complaints: Complaint[], total: number, now: Date): { text: string; blocks: Block[] } {
  if (complaints.length === 0) {
    return { text: 'No eligible complaints right now.', blocks: [section('No eligible complaints right now. :tada:')] };
  }
  const blocks: Block[] = [section(`*${total} eligible complaint${total === 1 ? '' : 's'}*, newest first:`)];
  const shown = complaints.slice(0, LIMITS.messageBlocks - 2).map(withoutContacts);
  for (const c of shown) {
    blocks.push(
      section(
        `*${escapeAndTruncate(oneLine(c.subject), 300)}*\n${customerLabel(c)} · ${priorityLabel(c.priority)} · ${ageLabel(c.receivedAt, now)} · ${sourceLink(c)}`,
        { accessory: button("I'll call them", ActionIds.claimComplaint, String(c.id), 'primary') },
      ),
    );
  }
  const rest = total - shown.length;
  if (rest > 0) blocks.push(context(`…and ${rest} more in the pool for the daily pick.`));
  return { text: `${total} eligible complaints`, blocks };
}
