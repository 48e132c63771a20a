import type { Kysely } from 'kysely';
import type { Outgoing } from '../calls/outgoing';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Roles } from '../people/roles';
import type { PickTrigger } from './pick';
import { buildEmptyPickPost, buildPickPost } from './pick.blocks';
import { describeRedelivery, type PostRedelivery, redeliverPickPost } from './pick.redelivery';
import { type DailyPickResult, runDailyPick } from './pick.service';

/** What the pick job needs. */
export interface PickJobDeps {
  db: Kysely<Database>;
  config: Config;
  roles: Pick<Roles, 'listExecutives'>;
  now: () => Date;
  /** Where the pick's help-desk note and webhook event go; none when absent. */
  outgoing?: Outgoing | undefined;
}

/** A pick run; `redelivery` says what became of an earlier post when the date was already picked. */
export interface PickJobResult extends DailyPickResult {
  redelivery?: PostRedelivery;
}

/**
 * The one pick job behind the scheduler, `npm run cli -- pick` and `/pickup pick`: idempotent per date,
 * and its post leaves through the outbox. Asked again by a person for a date whose post failed, it re-queues
 * that same post. The schedule does not: it fires daily and on every start, and would retry a broken channel
 * that nobody has fixed yet.
 */
export async function runPickJob(
  deps: PickJobDeps,
  input: { date: string; trigger: PickTrigger; actor: string; random?: (n: number) => number },
): Promise<PickJobResult> {
  const result = await drawPick(deps, input);
  if (result.status !== 'already_picked' || input.trigger === 'schedule') return result;
  return { ...result, redelivery: await redeliverPickPost(deps.db, input.date, deps.config.execChannel) };
}

async function drawPick(
  deps: PickJobDeps,
  input: { date: string; trigger: PickTrigger; actor: string; random?: (n: number) => number },
): Promise<DailyPickResult> {
  const { config } = deps;
  const now = deps.now();
  const executives = await deps.roles.listExecutives();
  return runDailyPick(deps.db, {
    date: input.date,
    now,
    timezone: config.timezone,
    executives,
    eligibleDays: config.eligibleDays,
    cooldownDays: config.cooldownDays,
    trigger: input.trigger,
    actor: input.actor,
    outgoing: deps.outgoing,
    ...(input.random ? { random: input.random } : {}),
    buildMessages: (pick) => [
      {
        operation: 'post',
        message: {
          channel: config.execChannel,
          ...(pick.complaint
            ? buildPickPost({
                date: pick.date,
                poolSize: pick.poolSize,
                complaint: pick.complaint,
                suggestedExecutive: pick.suggestedExecutive,
                claimedBy: null,
                now,
                draw: { seedCommitment: pick.seedCommitment, seedWeek: pick.seedWeek },
              })
            : buildEmptyPickPost(pick.date)),
        },
      },
    ],
  });
}

/** A one-line account of a pick run, for the CLI and `/pickup pick`. */
export function describePickResult(result: PickJobResult): string {
  const redelivery = describeRedelivery(result.redelivery);
  const draw = describeDraw(result);
  return redelivery ? `${draw} ${redelivery}` : draw;
}

function describeDraw(result: DailyPickResult): string {
  const p = result.pick;
  switch (result.status) {
    case 'picked':
      return `Picked complaint ${p.complaintId} for ${p.date}: 1 of ${p.poolSize} eligible (index ${p.drawnIndex}, pool hash ${p.poolHash.slice(0, 12)}…, seed commitment ${p.seedCommitment?.slice(0, 12)}…). The post is queued for the executives' channel.`;
    case 'empty':
      return `No eligible complaints for ${p.date}. Recorded the empty draw and queued a short note to the executives' channel.`;
    case 'already_picked':
      return p.complaintId === null
        ? `${p.date} was already drawn (the pool was empty). Nothing new was posted.`
        : `${p.date} was already picked (complaint ${p.complaintId}, 1 of ${p.poolSize}). Nothing new was posted.`;
  }
}
