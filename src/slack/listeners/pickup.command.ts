import type { App, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { actionThemes } from '../../actions/action';
import { buildActionList } from '../../actions/action-list.blocks';
import { listActionsFor } from '../../actions/action-list.service';
import { buildMine } from '../../calls/mine.blocks';
import { listOpenCalls } from '../../calls/mine.service';
import { buildStats } from '../../digest/digest.blocks';
import { statsFor, statsWindowSchema } from '../../digest/stats.service';
import { clearAway, parseAwayRange, setAway } from '../../people/away.service';
import { describePickResult, runPickJob } from '../../picks/pick.job';
import { buildQueue } from '../../picks/queue.blocks';
import { listQueue } from '../../picks/queue.service';
import { assertSetUp } from '../../settings/setup.service';
import { escapeMrkdwn } from '../../shared/mrkdwn';
import { dateInZone } from '../../shared/time';
import type { SlackDeps } from '../deps';
import { Commands } from '../ids';
import { assertRole, type Role } from '../role.middleware';

/** What a /pickup subcommand is given: who asked, the words after its name, and where to answer. */
export interface SubcommandArgs {
  deps: SlackDeps;
  userId: string;
  rest: string;
  respond: RespondFn;
}

/** One row of the /pickup table. */
interface Subcommand {
  /** How the help lists it, after `/pickup `; a subcommand without one is not listed. */
  usage?: string;
  /** What the help says it does. */
  summary?: string;
  /** Who may run it; `action` completes the refusal's "Only executives can …". */
  requires?: { role: Role; action: string };
  /** Refused with "Pickup is not set up yet" until the essential settings are set (it would post). */
  needsSetup?: boolean;
  run(args: SubcommandArgs): Promise<void>;
}

/** Answers only the person who typed the command. */
async function answer(respond: RespondFn, message: { text: string; blocks?: KnownBlock[] }): Promise<void> {
  await respond({ response_type: 'ephemeral', ...message });
}

async function showHelp({ respond }: SubcommandArgs): Promise<void> {
  await answer(respond, { text: PICKUP_HELP });
}

async function showQueue({ deps, respond }: SubcommandArgs): Promise<void> {
  const now = deps.now();
  const { eligibleDays, cooldownDays } = deps.config;
  const { complaints, total } = await listQueue(deps.db, { now, eligibleDays, cooldownDays });
  await answer(respond, buildQueue(complaints, total, now));
}

async function showMine({ deps, userId, respond }: SubcommandArgs): Promise<void> {
  await answer(respond, buildMine(await listOpenCalls(deps.db, userId), deps.now()));
}

const STATS_USAGE =
  'Usage: `/pickup stats [7d|30d|90d]` (default 7d): the funnel, medians and who called, over that window.';

/** The digest's figures over a rolling window ending now. */
async function showStats({ deps, rest, respond }: SubcommandArgs): Promise<void> {
  const window = statsWindowSchema.safeParse(rest);
  if (!window.success) {
    const typed = escapeMrkdwn(rest.trim().slice(0, 40));
    await answer(respond, { text: `I can't show stats for \`${typed}\`. ${STATS_USAGE}` });
    return;
  }
  const executives = await deps.roles.listExecutives();
  const { timezone } = deps.config;
  const themes = actionThemes(deps.config.actionThemes);
  const input = { window: window.data, now: deps.now(), executives, timezone, themes };
  const { metrics, days } = await statsFor(deps.db, input);
  await answer(respond, buildStats(metrics, `last ${days} days`));
}

/** Open actions: the asker's first, then everyone else's for executives (who may close any). */
async function showActions({ deps, userId, respond }: SubcommandArgs): Promise<void> {
  const isExecutive = await deps.roles.isExecutive(userId);
  const today = dateInZone(deps.now(), deps.config.timezone);
  await answer(respond, buildActionList(await listActionsFor(deps.db, { viewer: userId, isExecutive, today })));
}

async function runPick({ deps, userId, respond }: SubcommandArgs): Promise<void> {
  const date = dateInZone(deps.now(), deps.config.timezone);
  const result = await runPickJob(deps, { date, trigger: 'slash', actor: userId });
  deps.kickOutbox();
  await answer(respond, { text: describePickResult(result) });
}

async function setAwayDates({ deps, userId, rest, respond }: SubcommandArgs): Promise<void> {
  const range = parseAwayRange(rest, dateInZone(deps.now(), deps.config.timezone));
  await deps.db.transaction().execute((trx) => setAway(trx, userId, range));
  await answer(respond, {
    text: `Got it: you're away ${range.start} to ${range.end}. I won't suggest you or send you reminders then. \`/pickup back\` undoes it.`,
  });
}

async function clearAwayDates({ deps, userId, respond }: SubcommandArgs): Promise<void> {
  const today = dateInZone(deps.now(), deps.config.timezone);
  const cleared = await deps.db.transaction().execute((trx) => clearAway(trx, userId, today));
  await answer(respond, {
    text: cleared > 0 ? 'Welcome back. You can be suggested again.' : 'You had no away dates set.',
  });
}

const executivesOnly = (action: string): Subcommand['requires'] => ({ role: 'executive', action });

/** Every /pickup subcommand, in the order the help lists them. */
const SUBCOMMANDS = {
  help: { run: showHelp },
  queue: {
    usage: 'queue',
    summary: 'eligible complaints you can claim',
    requires: executivesOnly('see the queue'),
    run: showQueue,
  },
  mine: { usage: 'mine', summary: 'your open claims', requires: executivesOnly('hold calls'), run: showMine },
  actions: {
    usage: 'actions',
    summary: 'open actions, yours first (executives see everyone’s)',
    run: showActions,
  },
  stats: {
    usage: 'stats [7d|30d|90d]',
    summary: 'the funnel over a window',
    requires: executivesOnly("see Pickup's stats"),
    run: showStats,
  },
  away: {
    usage: 'away YYYY-MM-DD..YYYY-MM-DD',
    summary: 'no suggestions or reminders while you are away',
    requires: executivesOnly('set away dates'),
    run: setAwayDates,
  },
  back: {
    usage: 'back',
    summary: 'clear your away dates',
    requires: executivesOnly('set away dates'),
    run: clearAwayDates,
  },
  pick: {
    usage: 'pick',
    summary: "run today's pick now (executives)",
    requires: executivesOnly("run the day's pick"),
    needsSetup: true,
    run: runPick,
  },
} satisfies Record<string, Subcommand>;

/** A /pickup subcommand's name. */
export type SubcommandName = keyof typeof SUBCOMMANDS;

const isSubcommandName = (word: string): word is SubcommandName => Object.hasOwn(SUBCOMMANDS, word);

/** The /pickup help text, listed from the subcommand table. */
export const PICKUP_HELP = [
  '*Pickup*: one real customer complaint a day, called back by an executive.',
  ...Object.values(SUBCOMMANDS).flatMap((sub: Subcommand) =>
    sub.usage ? [`• \`/pickup ${sub.usage}\`: ${sub.summary}`] : [],
  ),
  '• `/escalate [ticket-url] [summary]`: support leads hand a complaint to Pickup',
].join('\n');

/** Runs one /pickup subcommand: first the role its row requires, then its handler. */
export async function runSubcommand(name: SubcommandName, args: SubcommandArgs): Promise<void> {
  const sub: Subcommand = SUBCOMMANDS[name];
  if (sub.needsSetup) assertSetUp(args.deps.settings);
  if (sub.requires) await assertRole(args.deps.roles, sub.requires.role, args.userId, sub.requires.action);
  await sub.run(args);
}

/** /pickup and its subcommands. Acks at once; the answer follows through response_url. */
export function registerPickupCommand(app: App, deps: SlackDeps): void {
  app.command(Commands.pickup, async ({ ack, command, respond }) => {
    const [first = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
    const name = first.toLowerCase();
    if (!isSubcommandName(name)) {
      await ack({
        response_type: 'ephemeral',
        text: `I don't know \`${escapeMrkdwn(first.slice(0, 40))}\`.\n\n${PICKUP_HELP}`,
      });
      return;
    }
    await ack();
    await runSubcommand(name, { deps, userId: command.user_id, rest: rest.join(' '), respond });
  });
}
