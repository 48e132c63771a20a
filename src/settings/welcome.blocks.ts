import type { Block } from '../ports/slack.port';
import { context, header, section } from '../shared/blocks';
import { escapeMrkdwn, mention } from '../shared/mrkdwn';

/** What the welcome says: where things go, who may claim, and when the first pick comes. */
export interface WelcomeModel {
  /** Where the weekly digest goes (a channel ID). */
  leadershipChannel: string;
  /** The executives as configured: user IDs (U…/W…) and user group IDs (S…). */
  executives: readonly string[];
  /** The first scheduled pick, or undefined when the schedule has none within a year (every day a holiday). */
  firstPick: Date | undefined;
  /** The zone of the schedule (TIMEZONE). */
  timezone: string;
  /** The pick schedule (cron), shown as set. */
  pickSchedule: string;
}

/** At most this many executives are named; the rest are counted, so a long list never crowds the welcome. */
export const WELCOME_MAX_EXECUTIVES = 15;

/** A user or user group as a mention: a user group's mention reads as its @handle. */
function mentionEntry(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : mention(id);
}

function executivesLine(executives: readonly string[]): string {
  const named = executives.slice(0, WELCOME_MAX_EXECUTIVES).map(mentionEntry).join(', ');
  const rest = executives.length - WELCOME_MAX_EXECUTIVES;
  return rest > 0 ? `${named} and ${rest} more` : named;
}

/** "Tuesday 8 December at 10:00" in the schedule's zone: the fallback of Slack's date token. */
function scheduleTimeLabel(at: Date, timezone: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long' });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${day.format(at)} at ${time.format(at)}`;
}

/**
 * When the first pick comes, in Slack's date token: every reader sees it in their own time zone ("tomorrow at
 * 4:00 AM"), with the schedule's own wording as the fallback for clients that cannot render it.
 */
function firstPickLine(firstPick: Date | undefined, timezone: string, pickSchedule: string): string {
  if (!firstPick) {
    return `*First pick:* none is coming: the schedule \`${escapeMrkdwn(pickSchedule)}\` finds no working day within a year. An admin can change it in Pickup's App Home.`;
  }
  const unix = Math.floor(firstPick.getTime() / 1000);
  const fallback = `${scheduleTimeLabel(firstPick, timezone)} (${timezone})`;
  return `*First pick:* <!date^${unix}^{date_long_pretty} at {time}|${escapeMrkdwn(fallback)}> (your time).`;
}

/**
 * The welcome posted once to the executives' channel when setup is complete: what Pickup does here, who takes
 * the calls, and when the first pick comes. Ids come from validated settings; the zone and schedule are escaped all
 * the same, since a person typed them.
 */
export function buildWelcome(model: WelcomeModel): { text: string; blocks: Block[] } {
  const pick = firstPickLine(model.firstPick, model.timezone, model.pickSchedule);
  const what =
    'Each business day Pickup draws one major customer complaint at random and posts it here. An executive ' +
    "claims it with one click, gets a private brief with the customer's contact details, calls them, and logs how " +
    'it went. Later, Pickup follows up on whether the customer became an advocate.';
  const who = model.executives.length > 0 ? `*Who calls:* ${executivesLine(model.executives)}.` : '';
  const digest = `*Every week* a digest of the calls and what they taught goes to <#${model.leadershipChannel}>.`;
  const text = `Pickup is set up. ${what}`;
  return {
    text,
    blocks: [
      header('Pickup is set up :wave:'),
      section(what),
      section([pick, who, digest].filter(Boolean).join('\n')),
      context(
        `Picks follow \`${escapeMrkdwn(model.pickSchedule)}\` in ${escapeMrkdwn(model.timezone)}, skipping holidays.`,
        '`/pickup help` lists what you can do. Admins change settings in Pickup’s App Home.',
      ),
    ],
  };
}
