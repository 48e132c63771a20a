import type { App, RespondFn } from '@slack/bolt';
import { buildActionList } from '../../actions/action-list.blocks';
import { listActionsFor } from '../../actions/action-list.service';
import { listOpenClaimsBy } from '../../calls/claim.repository';
import { buildMine } from '../../calls/mine.blocks';
import { toComplaint } from '../../complaints/complaint.service';
import { clearAway, parseAwayRange, setAway } from '../../people/away.service';
import { describePickResult, runPickJob } from '../../picks/pick.job';
import { findNewestEligible } from '../../picks/pick.repository';
import { buildQueue } from '../../picks/queue.blocks';
import { DomainError } from '../../shared/errors';
import { escapeMrkdwn } from '../../shared/mrkdwn';
import { dateInZone } from '../../shared/time';
import type { SlackDeps } from '../deps';
import { Commands } from '../ids';

/** The /pickup help text. */
export const PICKUP_HELP = [
  '*Pickup*: one real customer complaint a day, called back by an executive.',
  '• `/pickup queue`: eligible complaints you can claim',
  '• `/pickup mine`: your open claims',
  '• `/pickup stats [7d|30d|90d]`: the funnel over a window',
  '• `/pickup actions`: open actions, yours first (executives see everyone’s)',
  '• `/pickup away YYYY-MM-DD..YYYY-MM-DD`: no suggestions or reminders while you are away',
  '• `/pickup back`: clear your away dates',
  "• `/pickup pick`: run today's pick now (executives)",
  '• `/escalate [ticket-url] [summary]`: support leads hand a complaint to Pickup',
].join('\n');

/** How many complaints `/pickup queue` lists (the contract asks for at least 10). */
const QUEUE_SIZE = 10;

type Subcommand = (args: { deps: SlackDeps; userId: string; rest: string; respond: RespondFn }) => Promise<void>;

const ephemeral = (respond: RespondFn, message: { text: string; blocks?: unknown[] }) =>
  respond({ response_type: 'ephemeral', ...message } as never);

async function requireExecutive(deps: SlackDeps, userId: string, what: string): Promise<void> {
  if (!(await deps.roles.isExecutive(userId))) {
    throw new DomainError(
      'not_authorized',
      `Only executives can ${what}. Executives: ${deps.roles.describeExecutives()}.`,
    );
  }
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  async help({ respond }) {
    await ephemeral(respond, { text: PICKUP_HELP });
  },

  async queue({ deps, userId, respond }) {
    await requireExecutive(deps, userId, 'see the queue');
    const window = { now: deps.now(), eligibleDays: deps.config.eligibleDays, cooldownDays: deps.config.cooldownDays };
    const { rows, total } = await findNewestEligible(deps.db, window, QUEUE_SIZE);
    await ephemeral(respond, buildQueue(rows.map(toComplaint), total, deps.now()));
  },

  async mine({ deps, userId, respond }) {
    await requireExecutive(deps, userId, 'hold calls');
    const claims = await listOpenClaimsBy(deps.db, userId, 40);
    await ephemeral(respond, buildMine(claims, deps.now()));
  },

  async actions({ deps, userId, respond }) {
    const isExecutive = await deps.roles.isExecutive(userId);
    const today = dateInZone(deps.now(), deps.config.timezone);
    const listing = await listActionsFor(deps.db, { viewer: userId, isExecutive, today });
    await ephemeral(respond, buildActionList(listing));
  },

  async pick({ deps, userId, respond }) {
    await requireExecutive(deps, userId, "run the day's pick");
    const date = dateInZone(deps.now(), deps.config.timezone);
    const result = await runPickJob(deps, { date, trigger: 'slash', actor: userId });
    deps.kickOutbox();
    await ephemeral(respond, { text: describePickResult(result) });
  },

  async away({ deps, userId, rest, respond }) {
    await requireExecutive(deps, userId, 'set away dates');
    const today = dateInZone(deps.now(), deps.config.timezone);
    const range = parseAwayRange(rest, today);
    await deps.db.transaction().execute((trx) => setAway(trx, userId, range));
    await ephemeral(respond, {
      text: `Got it: you're away ${range.start} to ${range.end}. I won't suggest you or send you reminders then. \`/pickup back\` undoes it.`,
    });
  },

  async back({ deps, userId, respond }) {
    await requireExecutive(deps, userId, 'set away dates');
    const today = dateInZone(deps.now(), deps.config.timezone);
    const n = await deps.db.transaction().execute((trx) => clearAway(trx, userId, today));
    await ephemeral(respond, {
      text: n > 0 ? 'Welcome back. You can be suggested again.' : 'You had no away dates set.',
    });
  },
};

/** /pickup and its subcommands. Acks at once; the answer follows through response_url. */
export function registerPickupCommand(app: App, deps: SlackDeps, extra: Record<string, Subcommand> = {}): void {
  const subcommands = { ...SUBCOMMANDS, ...extra };
  app.command(Commands.pickup, async ({ ack, command, respond }) => {
    const text = command.text.trim();
    const [first = 'help', ...restWords] = text.split(/\s+/).filter(Boolean);
    const handler = subcommands[first.toLowerCase()];
    if (!handler) {
      await ack({
        response_type: 'ephemeral',
        text: `I don't know \`${escapeMrkdwn(first.slice(0, 40))}\`.\n\n${PICKUP_HELP}`,
      });
      return;
    }
    await ack();
    await handler({ deps, userId: command.user_id, rest: restWords.join(' '), respond });
  });
}

export type { Subcommand };
