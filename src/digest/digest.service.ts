import { Cron } from 'croner';
import type { Kysely, Transaction } from 'kysely';
import { actionThemes } from '../actions/action';
import { THEME_DAYS } from '../actions/action-list';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { Roles } from '../people/roles';
import { findPublishedSeeds } from '../picks/draw.service';
import type { Block } from '../ports/slack.port';
import { addDays, dateInZone, lastCompleteWeek, weekBounds, weekOf, zonedTimeToUtc } from '../shared/time';
import type { DigestModel, Metrics } from './digest';
import { buildDigest } from './digest.blocks';
import { renderTrendChart } from './digest.chart';
import {
  completePartialDigest,
  computeMetrics,
  findStoredDigest,
  insertDigest,
  type StoredDigest,
  type TrendBucket,
} from './digest.repository';

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
  config: Pick<Config, 'timezone' | 'leadershipChannel' | 'actionThemes'>;
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
  const trend = trendWeeks(week.start, tz);
  const window = { from, to, now: input.now, executives: input.executives, trend, timezone: tz };
  const themes = actionThemes(input.config.actionThemes);
  const metrics = await computeMetrics(db, { ...window, themeDays: THEME_DAYS, themes });

  // A week already stored for good needs no chart drawn; the transaction below still decides any race.
  const settled = !input.dryRun && isSettled(await findStoredDigest(db, week.start), partial);
  // Only a run that may store the week draws its chart and creates its seed: creating the seed here publishes its
  // commitment before that week's first pick. A dry run writes nothing.
  const writes = !input.dryRun && !settled;
  const drawn = writes && input.chart !== false ? await drawChart(metrics, week) : {};
  const seeds = await findPublishedSeeds(db, { weekStart: week.start, now: input.now, timezone: tz, create: writes });
  const model: DigestModel = {
    weekStart: week.start,
    weekEnd: week.end,
    timezone: tz,
    partial,
    generatedAt: input.now.toISOString(),
    metrics,
    chart: input.dryRun ? input.chart !== false : drawn.png !== undefined,
    seeds,
  };
  const { text, blocks } = buildDigest(model);
  const built = { model, blocks, text, ...(drawn.error ? { chartError: drawn.error } : {}) };
  if (input.dryRun) return { status: 'dry_run', ...built };
  if (settled) return { status: 'already_posted', ...built };

  // PGlite has one connection: everything inside must go through trx, never db, or it deadlocks.
  const posted = await db.transaction().execute(async (trx) => {
    const keys = await storeDigest(trx, model);
    if (keys) await queueDigest(trx, keys, { model, text, blocks, png: drawn.png }, input.config.leadershipChannel);
    return keys !== undefined;
  });
  return { status: posted ? 'posted' : 'already_posted', ...built };
}

/** The 4 Monday-to-Sunday weeks in `timeZone` ending with the week of `weekStart`: the digest's trend. */
function trendWeeks(weekStart: string, timeZone: string): TrendBucket[] {
  return [3, 2, 1, 0].map((i) => {
    const start = addDays(weekStart, -7 * i);
    const bounds = weekBounds(start, timeZone);
    return { start: bounds.from, end: bounds.to, label: start };
  });
}

/** True when the week is stored for good: complete, or partial while this run's figures are partial too. */
function isSettled(stored: StoredDigest | undefined, partial: boolean): boolean {
  return stored !== undefined && (!stored.partial || partial);
}

/** The trend as a PNG, or why it could not be drawn. */
async function drawChart(metrics: Metrics, week: { end: string }): Promise<{ png?: Buffer; error?: string }> {
  try {
    return { png: await renderTrendChart(metrics.trend, `Pickup, the 4 weeks to ${week.end}`) };
  } catch (err) {
    // A missing native binding must not cost leadership the week's digest; the caller reports it.
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Stores the week's digest and answers the dedupe keys its post and chart go out under, or undefined when another
 * run already posted these figures. A week stored while partial is completed once, under `:final` keys.
 */
async function storeDigest(
  trx: Transaction<Database>,
  model: DigestModel,
): Promise<{ post: string; chart: string } | undefined> {
  const keys = { post: digestPostKey(model.weekStart), chart: digestChartKey(model.weekStart) };
  const stored = { weekStart: model.weekStart, partial: model.partial, metrics: model.metrics };
  if (await insertDigest(trx, stored)) return keys;
  if (model.partial || !(await completePartialDigest(trx, model.weekStart, model.metrics))) return undefined;
  return { post: `${keys.post}:final`, chart: `${keys.chart}:final` };
}

/** Queues the digest's post to the leadership channel, and its chart (when drawn) in the post's thread. */
async function queueDigest(
  trx: Transaction<Database>,
  keys: { post: string; chart: string },
  digest: { model: DigestModel; text: string; blocks: Block[]; png: Buffer | undefined },
  channel: string,
): Promise<void> {
  await enqueueMessage(trx, keys.post, {
    operation: 'post',
    message: { channel, text: digest.text, blocks: digest.blocks },
  });
  if (!digest.png) return;
  await enqueueMessage(trx, keys.chart, {
    operation: 'file',
    target: keys.post,
    file: {
      channel,
      filename: `pickup-trend-${digest.model.weekStart}.png`,
      title: `Pickup: the 4 weeks to ${digest.model.weekEnd}`,
      altText: altText(digest.model),
      contentBase64: digest.png.toString('base64'),
    },
  });
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
