import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { escapeMrkdwn } from '../../shared/mrkdwn';
import { Commands } from '../ids';

/** The /pickup help text. */
export const PICKUP_HELP = [
  '*Pickup*: one real customer complaint a day, called back by an executive.',
  '• `/pickup queue`: eligible complaints you can claim',
  '• `/pickup mine`: your open claims',
  '• `/pickup stats [7d|30d|90d]`: the funnel over a window',
  '• `/pickup away YYYY-MM-DD..YYYY-MM-DD`: no suggestions or reminders while you are away',
  '• `/pickup back`: clear your away dates',
  "• `/pickup pick`: run today's pick now (executives)",
  '• `/escalate [ticket-url] [summary]`: support leads hand a complaint to Pickup',
].join('\n');

/** /pickup and its subcommands. */
export function registerPickupCommand(app: App, _deps: SlackDeps): void {
  app.command(Commands.pickup, async ({ ack, command }) => {
    const [sub = 'help'] = command.text.trim().split(/\s+/).filter(Boolean);
    switch (sub.toLowerCase()) {
      case 'help':
        await ack({ response_type: 'ephemeral', text: PICKUP_HELP });
        return;
      default:
        await ack({ response_type: 'ephemeral', text: `I don't know \`${escapeMrkdwn(sub.slice(0, 40))}\`.\n\n${PICKUP_HELP}` });
    }
  });
}
