import { z } from 'zod';
import { isRealDate } from '../shared/time';

/** Where an action stands: open until its owner (or the asker, or another executive) closes it. */
export const ACTION_STATUSES = ['open', 'done', 'wont_do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** A closed action's status. */
export type ClosedStatus = Exclude<ActionStatus, 'open'>;

/** The owner's answer, thirty days after "done", to "did the fix hold?". */
export const FIX_VERDICTS = ['held', 'came_back'] as const;
export type FixVerdict = (typeof FIX_VERDICTS)[number];

/** The themes the outcome modal offers when ACTION_THEMES is unset. */
export const DEFAULT_ACTION_THEMES: readonly string[] = [
  'product',
  'billing',
  'delivery',
  'support process',
  'communication',
  'other',
];

/** The themes to offer: those configured (ACTION_THEMES), or the defaults when none are. */
export function actionThemes(configured: readonly string[]): readonly string[] {
  return configured.length > 0 ? configured : DEFAULT_ACTION_THEMES;
}

/** Days after "done" when Pickup asks the owner whether the fix held. */
export const FIX_CHECK_DAYS = 30;

/** Limits of what an executive types about an action. */
export const ACTION_LIMITS = { description: 2000, closeReason: 500, theme: 50 } as const;

/** Labels people see for each status. */
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Open',
  done: 'Done',
  wont_do: "Won't do",
};

/** What a call taught us, owned by someone: the domain view of an `actions` row. */
export interface Action {
  id: number;
  complaintId: number;
  /** The logged call it came from; null for an action not opened from the outcome modal. */
  attemptId: number | null;
  description: string;
  theme: string;
  /** Slack user ID of whoever is to make the change. */
  ownerId: string;
  /** Slack user ID of the executive who asked for it (logged the call). */
  requestedBy: string;
  /** YYYY-MM-DD, or null without a due date. */
  dueDate: string | null;
  status: ActionStatus;
  /** Why it was closed: the "won't do" reason (required there); null otherwise. */
  closeReason: string | null;
  closedBy: string | null;
  closedAt: Date | null;
  /** When to ask the owner whether the fix held (30 days after done); null while open, or after won't do. */
  fixCheckDueAt: Date | null;
  /** The owner's answer once given ("came back" reopens the action, clearing the fix fields). */
  fixVerdict: FixVerdict | null;
  /** When Pickup asked the owner whether the fix held; null until then. */
  fixCheckedAt: Date | null;
  /** How many times "came back" reopened it. */
  reopenedCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What an action's messages show of its complaint: never the customer's contact details, and text redacted. */
export interface ActionComplaint {
  id: number;
  subject: string;
  source: string;
  externalId: string;
  url: string | null;
}

/** An action as its messages show it: with its complaint, its free text passed through the redaction policy. */
export interface ActionCard {
  action: Action;
  complaint: ActionComplaint;
}

/** A Slack user ID (U… or W…), as users_select gives it. */
export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user ID');

/** What the outcome modal asks for an action: "what should change", its theme, owner and due date. */
export const actionInputSchema = z.object({
  description: z.string().trim().min(1).max(ACTION_LIMITS.description),
  theme: z.string().trim().min(1).max(ACTION_LIMITS.theme),
  ownerId: slackUserId,
  dueDate: z.string().refine(isRealDate, 'must be a YYYY-MM-DD date').optional(),
});
export type ActionInput = z.infer<typeof actionInputSchema>;

/** An action's id, as a button's value or a modal's metadata carries it. */
export const actionIdSchema = z.coerce.number().int().positive();

/** True when `theme` is one of the configured themes (case-insensitive, as people type them into ACTION_THEMES). */
export function isKnownTheme(themes: readonly string[], theme: string): boolean {
  const wanted = theme.trim().toLowerCase();
  return themes.some((t) => t.toLowerCase() === wanted);
}

/** A theme as a label: "support process" → "Support process". */
export function themeLabel(theme: string): string {
  return theme.charAt(0).toUpperCase() + theme.slice(1);
}

/** True when the action is open with a due date on or before `today` (YYYY-MM-DD): due today or overdue. */
export function isDue(action: Pick<Action, 'status' | 'dueDate'>, today: string): boolean {
  return action.status === 'open' && action.dueDate !== null && action.dueDate <= today;
}
