import type { Complaint } from '../complaints/complaint';
import { customerLabel, priorityLabel, sourceLink } from '../complaints/complaint.format';
import type { Block } from '../ports/slack.port';
import { actions, button, context, customerTextSection, fallbackText, fields, header, section } from '../shared/blocks';
import { ActionIds } from '../shared/ids';
import { escapeAndTruncate, mention, oneLine } from '../shared/mrkdwn';
import { ageLabel } from '../shared/time';

/** What the channel post of a pick shows. Never contact details. */
export interface PickPostModel {
  date: string;
  poolSize: number;
  complaint: Complaint;
  suggestedExecutive: string | null;
  claimedBy: string | null;
  now: Date;
  /** The commitment to the seed that drew it; null for picks made before verifiable draws. */
  draw: { seedCommitment: string; seedWeek: string } | null;
}

/**
 * The context line that makes the draw checkable: the seed's commitment, published here before the seed is, and how
 * to re-check the draw once the week is over.
 */
export function drawContextLine(
  date: string,
  poolSize: number,
  draw: { seedCommitment: string; seedWeek: string },
): string {
  return (
    `:game_die: Drawn at random from ${poolSize} eligible. Seed commitment (week of ${draw.seedWeek}): ` +
    `\`${draw.seedCommitment}\`. The seed is revealed when the week ends; then anyone can check this draw with ` +
    `\`npm run cli -- verify --date ${date}\`.`
  );
}

/** The daily pick as posted to the executives' channel, claimed or not. */
export function buildPickPost(model: PickPostModel): { text: string; blocks: Block[] } {
  const c = model.complaint;
  const blocks: Block[] = [
    header(`Today's pick: 1 of ${model.poolSize} eligible`),
    section(`*${escapeAndTruncate(oneLine(c.subject), 500)}*\n${customerLabel(c)}`),
    fields([
      ['Received', ageLabel(c.receivedAt, model.now)],
      ['Priority', priorityLabel(c.priority)],
      ['Source', sourceLink(c)],
      ['Company', c.customer.company ? escapeAndTruncate(oneLine(c.customer.company), 200) : '_not given_'],
    ]),
  ];
  if (c.description) blocks.push(customerTextSection('What they told us', c.description.slice(0, 1500)));
  blocks.push(customerTextSection('What support already tried', c.supportTried ?? 'Nothing recorded.'));
  if (model.claimedBy) {
    blocks.push(section(`:white_check_mark: Claimed by ${mention(model.claimedBy)}, who will call the customer.`));
  } else {
    blocks.push(
      actions(`pick_${model.date}`, button("I'll call them", ActionIds.claimComplaint, String(c.id), 'primary')),
    );
    if (model.suggestedExecutive) {
      blocks.push(
        context(
          `Suggested: ${mention(model.suggestedExecutive)}, fewest claims in the last 30 days. Anyone on the list may claim it.`,
        ),
      );
    }
  }
  if (model.draw) blocks.push(context(drawContextLine(model.date, model.poolSize, model.draw)));
  const status = model.claimedBy ? `claimed by ${mention(model.claimedBy)}` : 'unclaimed';
  return { text: `Today's pick (${status}): ${fallbackText(c.subject)}`, blocks };
}

/** The post for a day whose pool was empty. */
export function buildEmptyPickPost(date: string): { text: string; blocks: Block[] } {
  const text = `No eligible complaints today (${date}). Nothing to call; the pool refills as major complaints arrive.`;
  return { text, blocks: [section(`:relaxed: ${text}`)] };
}

/** The thread reply when a pick is still unclaimed after some hours. */
export function buildUnclaimedReminder(hours: number, suggested: string | null): { text: string } {
  const who = suggested ? ` ${mention(suggested)}, you were suggested for this one.` : '';
  return {
    text: `This pick has been waiting ${hours} hours for someone to call.${who} Click "I'll call them" to take it.`,
  };
}
