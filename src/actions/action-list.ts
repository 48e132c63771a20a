import { FIX_CHECK_DAYS } from './action';

/**
 * The read side of actions: how `/pickup actions`, App Home, the digest and `/pickup stats` see them. The lifecycle
 * (opening, closing, reassigning, reminders) lives in action.ts and action.service.ts.
 */

/** One open action as a list shows it. Never the customer's phone or email (see descriptionAsWritten). */
export interface ActionListItem {
  id: number;
  /** As written for its owner who wrote it; redacted (privacy/redact.ts) for everyone else. */
  description: string;
  theme: string;
  owner: string;
  requestedBy: string;
  /** YYYY-MM-DD, or null when the action has no due date. */
  dueDate: string | null;
  /** True when the due date has passed (in TIMEZONE). */
  overdue: boolean;
  complaintId: number;
  /** The complaint's subject, redacted. */
  subject: string;
  /** The ticket link, redacted (a query string can carry an email address). */
  ticketUrl: string | null;
}

/** A list cut to what is shown, with how many there are in all. */
export interface ActionList {
  items: ActionListItem[];
  total: number;
}

/** `/pickup actions` for one person: theirs first, then (for executives) everyone else's. */
export interface ActionListing {
  viewer: string;
  today: string;
  mine: ActionList;
  /** Everyone else's open actions; undefined for someone who is not an executive. */
  others: ActionList | undefined;
}

/** An action as the digest and stats name it: for a channel, so its description is always redacted. */
export interface ActionLine {
  id: number;
  description: string;
  theme: string;
  owner: string;
  dueDate: string | null;
  /** When it was marked done or won't-do (ISO 8601), null while open. */
  closedAt: string | null;
}

/** Lines of one kind, cut to LIST_LIMIT, with the exact count. */
export interface ActionLines {
  items: ActionLine[];
  total: number;
}

/** What happened to actions in a window. */
export interface ActionFigures {
  /** Opened in the window. */
  opened: ActionLines;
  /** Marked done in the window. */
  done: ActionLines;
  /** Still open at the window's end (or now, if sooner) with their due date passed by then. */
  overdue: ActionLines;
}

/** How many major complaints carried one theme in a window. */
export interface ThemeCount {
  theme: string;
  complaints: number;
}

/** An action marked done recently, and how many new major complaints have carried its theme since. */
export interface FixCheck {
  action: ActionLine;
  /** Major complaints that became major after the action was done, other than its own. */
  newComplaints: number;
}

/** How far back "Top themes" looks in the digest. */
export const THEME_DAYS = 90;

/**
 * How far back a done action counts as "recently done" for the digest's "did the fixes hold?": until its owner is
 * asked whether the fix held.
 */
export const RECENTLY_DONE_DAYS = FIX_CHECK_DAYS;

/** How many themes the digest and stats name. */
export const TOP_THEMES = 8;

/**
 * A theme as compared: lower case, with runs of spaces, hyphens and underscores as one space, so the outcome
 * modal's "Support process" and a help desk's `support-process` or `SUPPORT_PROCESS` tag are the same theme.
 * Its SQL twin is `themeKeySql` in action-list.repository.ts.
 */
export function themeKey(theme: string): string {
  return theme
    .replace(/[\s_-]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** True when a due date (YYYY-MM-DD) has passed on `today` (YYYY-MM-DD, in TIMEZONE). */
export function isOverdue(dueDate: string | null, today: string): boolean {
  return dueDate !== null && dueDate < today;
}

/**
 * True when an action's description may be shown as written: to its owner when they also wrote it (the executive
 * who logged the call, who alone may see the customer's contact details). Anyone else, including an owner it was
 * handed to, sees it redacted, since people type a customer's number into any box.
 */
export function descriptionAsWritten(action: { owner: string; requestedBy: string }, viewer: string): boolean {
  return action.owner === viewer && action.requestedBy === viewer;
}
