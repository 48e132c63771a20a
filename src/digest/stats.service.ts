import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema';
import { DAY_MS } from '../shared/time';
import type { Metrics } from './digest';
import { computeMetrics } from './digest.repository';

/**
 * The window `/pickup stats` shows (contract: `stats [7d|30d|90d]`), parsed case-insensitively from what someone
 * typed; nothing means 7d.
 */
export const statsWindowSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((typed) => typed || '7d')
  .pipe(z.enum(['7d', '30d', '90d']));

/** A window `/pickup stats` offers. */
export type StatsWindow = z.infer<typeof statsWindowSchema>;

/** Each window's length in days. */
export const STATS_WINDOWS: Readonly<Record<StatsWindow, number>> = { '7d': 7, '30d': 30, '90d': 90 };

/**
 * The digest's figures over a rolling window of whole days ending `now` (not the digest's calendar week), with
 * `executives` (user groups expanded) listed whether or not they acted; actions' due dates are read in `timezone`.
 */
export async function statsFor(
  db: Kysely<Database>,
  input: {
    window: StatsWindow;
    now: Date;
    executives: readonly string[];
    timezone: string;
    /** The outcome modal's themes (actions/action.ts actionThemes). */
    themes: readonly string[];
  },
): Promise<{ metrics: Metrics; days: number }> {
  const days = STATS_WINDOWS[input.window];
  const metrics = await computeMetrics(db, {
    from: new Date(input.now.getTime() - days * DAY_MS),
    to: input.now,
    now: input.now,
    executives: input.executives,
    timezone: input.timezone,
    themes: input.themes,
    // Stats name the themes of the window asked for, where the digest looks back THEME_DAYS.
    themeDays: days,
  });
  return { metrics, days };
}
