import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { Roles } from '../people/roles';
import { findPublishedSeeds } from '../picks/draw.service';
import type { Block } from '../ports/slack.port';
import { addDays, dateInZone, lastCompleteWeek, weekBounds, weekOf, zonedTimeToUtc } from '../shared/time';
import type { DigestModel } from './digest';
import { buildDigest } from './digest.blocks';
import { renderTrendChart } from './digest.chart';
import { computeMetrics, type TrendBucket } from './digest.repository';

// The week helpers moved to shared/time (the draw's seeds are weekly too); re-exported for existing callers.
export { lastCompleteWeek, weekBounds, weekOf } from '../shared/time';

/**
 * The week the automatic digest (its schedule, or the catch-up at start-up) reports on: the last complete one,
 * unless that week ended before Pickup was first started, when there is none. A new install has nothing to say
 * about the week before it existed, and leadership's first digest would be an empty one. An operator's
 * `digest --week` is not automatic and posts any week.
 */
export function automaticDigestWeek(
  now: Date,
  timeZone: string,
  firstStartedAt: Date,
): { start: string; end: string } | undefined {
  const week = lastCompleteWeek(now, timeZone);
  return weekBounds(week.start, timeZone).to.getTime() <= firstStartedAt.getTime() ? undefined : week;
}

/** The dedupe key of a week's digest post; the chart names it as its thread. */
export function digestPostKey(weekStart: string): string {
  return `digest:${weekStart}:post`;
}

/** The dedupe key of a week's chart upload. */
export function digestChartKey(weekStart: string): string {
  return `digest:${weekStart}:chart`;
}

/** What {@link runDigest} needs. */
export interface DigestInput {
  /** Any date of the week; the Monday-to-Sunday week containing it is digested. */
  weekStart: string;
  now: Date;
  config: Pick<Config, 'timezone' | 'leadershipChannel'>;
  /** Executives' user IDs, groups expanded. */
  executives: readonly string[];
  dryRun: boolean;
  /** False leaves out the PNG chart (the sparkline stays). Default true. */
  chart?: boolean;
}

/** What {@link runDigest} did, with what it built (or would have posted). */
export interface DigestResult {
  status: 'posted' | 'already_posted' | 'dry_run';
  model: DigestModel;
  blocks: Block[];
  text: string;
  /** Set when the chart could not be rendered: the digest went out with its sparkline only. */
  chartError?: string;
}

/**
 * The weekly digest, exactly once per week however many instances or operators ask at once: the figures are read
 * first, then one transaction stores the week (the unique week_start decides the winner) and only the winner queues
 * the post and its chart. A week posted while still partial may be posted once more when complete, as its final
 * figures; a dry run builds everything and writes nothing.
 */
export async function runDigest(db: Kysely<Database>, input: DigestInput): Promise<DigestResult> {
  const tz = input.config.timezone;
  const week = weekOf(input.weekStart);
  const { from, to } = weekBounds(week.start, tz);
  const partial = input.now.getTime() < to.getTime();
  const trend: TrendBucket[] = [3, 2, 1, 0].map((i) => {
    const start = addDays(week.start, -7 * i);
    const bounds = weekBounds(start, tz);
    return { start: bounds.from, end: bounds.to, label: start };
  });
  const metrics = await computeMetrics(db, { from, to, now: input.now, executives: input.executives, trend });

  // A week already stored for good needs no chart drawn; the transaction below still decides any race.
  const stored = input.dryRun
    ? undefined
    : await db.selectFrom('digests').select('partial').where('week_start', '=', week.start).executeTakeFirst();
  const settled = stored !== undefined && (!stored.partial || partial);

  let png: Buffer | undefined;
  let chartError: string | undefined;
  if (input.chart !== false && !input.dryRun && !settled) {
    try {
      png = await renderTrendChart(metrics.trend, `Pickup, the 4 weeks to ${week.end}`);
    } catch (err) {
      // A missing native binding must not cost leadership the week's digest; the caller reports it.
      chartError = err instanceof Error ? err.message : String(err);
    }
  }
  // Creating the week's seed here publishes its commitment before that week's first pick; a dry run writes nothing.
  const seeds = await findPublishedSeeds(db, {
    weekStart: week.start,
    now: input.now,
    timezone: tz,
    create: !input.dryRun && !settled,
  });
  const model: DigestModel = {
    weekStart: week.start,
    weekEnd: week.end,
    timezone: tz,
    partial,
    generatedAt: input.now.toISOString(),
    metrics,
    chart: input.dryRun ? input.chart !== false : png !== undefined,
    seeds,
  };
  const { text, blocks } = buildDigest(model);
  const built = { model, blocks, text, ...(chartError ? { chartError } : {}) };
  if (input.dryRun) return { status: 'dry_run', ...built };
  if (settled) return { status: 'already_posted', ...built };

  // PGlite has one connection: everything below must go through trx, never db, or it deadlocks.
  const posted = await db.transaction().execute(async (trx) => {
    const row = { week_start: week.start, partial, metrics: JSON.stringify(metrics) };
    const inserted = await trx
      .insertInto('digests')
      .values(row)
      .onConflict((oc) => oc.column('week_start').doNothing())
      .returning('id')
      .executeTakeFirst();
    let keys = { post: digestPostKey(week.start), chart: digestChartKey(week.start) };
    if (!inserted) {
      if (partial) return false;
      // The week was posted while partial; its complete figures go out once, to whichever run flips the flag.
      const completed = await trx
        .updateTable('digests')
        .set({ partial: false, metrics: row.metrics })
        .where('week_start', '=', week.start)
        .where('partial', '=', true)
        .returning('id')
        .executeTakeFirst();
      if (!completed) return false;
      keys = { post: `${keys.post}:final`, chart: `${keys.chart}:final` };
    }
    await enqueueMessage(trx, keys.post, {
      operation: 'post',
      message: { channel: input.config.leadershipChannel, text, blocks },
    });
    if (png) {
      await enqueueMessage(trx, keys.chart, {
        operation: 'file',
        target: keys.post,
        file: {
          channel: input.config.leadershipChannel,
          filename: `pickup-trend-${week.start}.png`,
          title: `Pickup: the 4 weeks to ${week.end}`,
          altText: altText(model),
          contentBase64: png.toString('base64'),
        },
      });
    }
    return true;
  });
  return { status: posted ? 'posted' : 'already_posted', ...built };
}

/** The chart described in words, for screen readers. */
function altText(model: DigestModel): string {
  const weeks = model.metrics.trend
    .map((t) => `week of ${t.label}: ${t.picked} picked, ${t.reached} reached, ${t.advocates} advocates`)
    .join('; ');
  return `Bar chart of the last ${model.metrics.trend.length} weeks. ${weeks}.`;
}

/** What the digest job needs. */
export interface DigestJobDeps {
  db: Kysely<Database>;
  config: Config;
  roles: Pick<Roles, 'listExecutives'>;
  now: () => Date;
}

/**
 * The one digest job behind the scheduler and `npm run cli -- digest`: the last complete week by default,
 * idempotent per week, and its post leaves through the outbox.
 */
export async function runDigestJob(
  deps: DigestJobDeps,
  input: { weekStart?: string | undefined; dryRun: boolean; chart?: boolean },
): Promise<DigestResult> {
  const now = deps.now();
  const weekStart = input.weekStart ?? lastCompleteWeek(now, deps.config.timezone).start;
  return runDigest(deps.db, {
    weekStart,
    now,
    config: deps.config,
    executives: await deps.roles.listExecutives(),
    dryRun: input.dryRun,
    ...(input.chart === undefined ? {} : { chart: input.chart }),
  });
}

/** A one-line account of a digest run, for the CLI and the scheduler's log. */
export function describeDigestResult(result: DigestResult): string {
  const week = `the week of ${result.model.weekStart} to ${result.model.weekEnd}`;
  const partial = result.model.partial ? ' (partial: the week is not over)' : '';
  const chart = result.chartError
    ? ` The chart could not be drawn (${result.chartError}); the text trend stands in.`
    : '';
  switch (result.status) {
    case 'posted':
      return `Queued the digest for ${week}${partial} to the leadership channel${result.model.chart ? ', with its chart in the thread' : ''}.${chart}`;
    case 'already_posted':
      return `The digest for the week of ${result.model.weekStart} was already posted; nothing new was sent.`;
    case 'dry_run':
      return `Dry run: the digest for ${week}${partial} was built and nothing was written or sent.`;
  }
}

/**
 * True when DIGEST_SCHEDULE has fired earlier this week (Monday to now, in TIMEZONE): a bot that was down then
 * runs the digest job on start-up. Whether last week's digest is stored is the job's own question; when it is,
 * the run writes nothing.
 */
export function digestMissed(config: Pick<Config, 'digestSchedule' | 'timezone'>, now: Date): boolean {
  const monday = weekOf(dateInZone(now, config.timezone)).start;
  const startOfWeek = zonedTimeToUtc(monday, '00:00', config.timezone);
  const cron = new Cron(config.digestSchedule, { timezone: config.timezone, paused: true });
  // nextRun is strictly after its argument, so step back a millisecond to include midnight itself.
  const first = cron.nextRun(new Date(startOfWeek.getTime() - 1));
  return first !== null && first.getTime() <= now.getTime();
}
