import type { types } from '@slack/bolt';
import { buildStats } from '../../digest/digest.blocks';
import { computeMetrics } from '../../digest/digest.repository';
import { DomainError } from '../../shared/errors';
import { escapeMrkdwn } from '../../shared/mrkdwn';
import type { Subcommand } from './pickup.command';

/** The windows `/pickup stats` offers (contract: `stats [7d|30d|90d]`), in days. */
export const STATS_WINDOWS = { '7d': 7, '30d': 30, '90d': 90 } as const;

type StatsWindow = keyof typeof STATS_WINDOWS;

const isStatsWindow = (s: string): s is StatsWindow => Object.hasOwn(STATS_WINDOWS, s);

const USAGE = 'Usage: `/pickup stats [7d|30d|90d]` (default 7d): the funnel, medians and who called, over that window.';

const DAY_MS = 86_400_000;

/**
 * `/pickup stats [7d|30d|90d]`: the digest's figures over a rolling window ending now, for executives only,
 * answered ephemerally.
 */
export const statsSubcommand: Subcommand = async ({ deps, userId, rest, respond }) => {
  const arg = rest.trim().toLowerCase() || '7d';
  if (!isStatsWindow(arg)) {
    await respond({
      response_type: 'ephemeral',
      text: `I can't show stats for \`${escapeMrkdwn(arg.slice(0, 40))}\`. ${USAGE}`,
    });
    return;
  }
  if (!(await deps.roles.isExecutive(userId))) {
    throw new DomainError(
      'not_authorized',
      `Only executives can see Pickup's stats. Executives: ${deps.roles.describeExecutives()}.`,
    );
  }
  const days = STATS_WINDOWS[arg];
  const now = deps.now();
  const metrics = await computeMetrics(deps.db, {
    from: new Date(now.getTime() - days * DAY_MS),
    to: now,
    now,
    executives: await deps.roles.listExecutives(),
    timezone: deps.config.timezone,
    themeDays: days,
  });
  const { text, blocks } = buildStats(metrics, `last ${days} days`);
  // Our blocks are plain Block Kit objects built by the pure builders; Bolt's union type cannot see that.
  await respond({ response_type: 'ephemeral', text, blocks: blocks as unknown as types.Block[] });
};
