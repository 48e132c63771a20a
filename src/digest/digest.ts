import type { ActionFigures, FixCheck, ThemeCount } from '../actions/action-list';
import { EVIDENCE_LABELS, type EvidenceKind } from '../calls/call';
import type { PublishedSeeds } from '../picks/draw';

/** The funnel of one window, each stage counted in complaints. */
export interface Funnel {
  /** Major complaints that arrived (by created_at). */
  received: number;
  /** Of those, how many a support lead escalated by hand. */
  escalated: number;
  /** Picks made in the window that drew a complaint. */
  picked: number;
  /** Distinct complaints claimed in the window. */
  claimed: number;
  /** Complaints whose very first call attempt fell in the window. */
  firstAttempt: number;
  /** Distinct complaints with a reached call in the window. */
  reached: number;
  /** Complaints whose first advocacy evidence was recorded in the window. */
  advocates: number;
}

/** One executive's participation in the window. */
export interface ExecutiveActivity {
  userId: string;
  claims: number;
  attempts: number;
  /** Distinct complaints this executive reached. */
  reached: number;
  /** New advocates among the complaints this executive called. */
  advocates: number;
}

/** A pick from the window that nobody has claimed (as of `now`). Never contact details. */
export interface UnclaimedPick {
  date: string;
  complaintId: number;
  subject: string;
  ticketUrl: string | null;
}

/** A complaint that became an advocate in the window, with the evidence that says so. */
export interface NewAdvocate {
  complaintId: number;
  company: string | null;
  subject: string;
  kinds: string[];
}

/** One call note an executive marked "ok to share", with contact details stripped. */
export interface Quote {
  text: string;
  executive: string;
  at: string;
}

/** One bucket of the trend (normally a week). */
export interface TrendPoint {
  /** The bucket's first day, YYYY-MM-DD. */
  label: string;
  picked: number;
  reached: number;
  advocates: number;
}

/** Every figure the digest and `/pickup stats` show, for one window. */
export interface Metrics {
  from: string;
  to: string;
  funnel: Funnel;
  /** Medians in hours; null when there was nothing to measure. */
  medians: { pickToClaimHours: number | null; claimToAttemptHours: number | null };
  executives: ExecutiveActivity[];
  /** Executives with no call attempt in the 30 days before `to`. */
  quiet: string[];
  unclaimed: UnclaimedPick[];
  /** All unclaimed picks in the window; `unclaimed` may hold fewer. */
  unclaimedTotal: number;
  newAdvocates: NewAdvocate[];
  /** The latest shareable note: the first of `learnings`. */
  quote: Quote | null;
  /** "What we learned": the window's call notes marked shareable, newest first, made fit to share. */
  learnings: Quote[];
  /** All shareable notes in the window; `learnings` may hold fewer. */
  learningsTotal: number;
  /** Actions opened, done and overdue in the window, with their owners. */
  actions: ActionFigures;
  /** The themes most major complaints carried over the `themeDays` to `to`, busiest first. */
  themes: ThemeCount[];
  themeDays: number;
  /** Actions done in the RECENTLY_DONE_DAYS to `to`, each with how many new major complaints carry its theme since. */
  fixChecks: FixCheck[];
  trend: TrendPoint[];
}

/** How many items a list in Metrics keeps; the counts stay exact. */
export const LIST_LIMIT = 50;

/** How far back "has not called" looks. */
export const QUIET_DAYS = 30;

/** The digest of one Monday-to-Sunday week in TIMEZONE. */
export interface DigestModel {
  weekStart: string;
  weekEnd: string;
  timezone: string;
  /** True when the week is not over yet: the figures are "so far". */
  partial: boolean;
  generatedAt: string;
  metrics: Metrics;
  /** True when a PNG of the trend goes in the thread. */
  chart: boolean;
  /** The draw seed this digest reveals and the commitment of the week in progress (commit-reveal, picks/draw.ts). */
  seeds: PublishedSeeds;
}

const ADVOCACY_LABELS: Record<string, string> = {
  ...(EVIDENCE_LABELS satisfies Record<EvidenceKind, string>),
  executive_assessment: "Executive's assessment",
  survey_promoter: 'Survey promoter (9–10)',
  survey_passive: 'Survey passive',
  survey_detractor: 'Survey detractor',
};

/** How people read an advocacy evidence kind. */
export function advocacyKindLabel(kind: string): string {
  return ADVOCACY_LABELS[kind] ?? kind;
}

/** True when nothing at all happened in the window: nothing arrived, nobody claimed or called. */
export function isQuietWeek(metrics: Metrics): boolean {
  return (
    Object.values(metrics.funnel).every((n) => n === 0) &&
    metrics.executives.every((e) => e.claims === 0 && e.attempts === 0)
  );
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A text sparkline (▁▂▃▄▅▆▇█) of counts, scaled to their maximum; all ▁ when every count is 0. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (max === 0 ? BARS[0] : (BARS[Math.round((Math.max(0, v) / max) * (BARS.length - 1))] ?? BARS[0])))
    .join('');
}

/** Hours shown to people: one decimal under 10, whole hours above, "n/a" when not measured. */
export function formatHours(hours: number | null): string {
  if (hours === null) return 'n/a';
  if (hours < 10) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round(hours)} h`;
}
