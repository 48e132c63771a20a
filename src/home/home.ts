import type { ActionList } from '../actions/action-list';
import type { Priority } from '../complaints/complaint';
import type { EffectiveSetting, EssentialSetting } from '../settings/settings';

/** Which sections a person's App Home shows; someone on both lists sees both. */
export type HomeRole = 'executive' | 'lead' | 'both' | 'other';

/** The role for someone's App Home from the two lists they may be on. */
export function homeRoleOf(isExecutive: boolean, isSupportLead: boolean): HomeRole {
  if (isExecutive && isSupportLead) return 'both';
  if (isExecutive) return 'executive';
  if (isSupportLead) return 'lead';
  return 'other';
}

/**
 * How many items each list shows. Together they keep the whole view, with both roles' sections, far under Slack's
 * 100 blocks per Home tab (see HOME_MAX_BLOCKS in home.blocks.ts); the rest is counted, not shown.
 */
export const HOME_LIST_LIMITS = {
  openClaims: 15,
  history: 10,
  escalations: 20,
  away: 10,
  myActions: 10,
  otherActions: 20,
} as const;

/** A list cut to what the view shows, with how many there are in all. */
export interface Capped<T> {
  items: T[];
  total: number;
}

/** A complaint as App Home names it: never phone or email. */
export interface HomeComplaint {
  id: number;
  subject: string;
  customerName: string | null;
  company: string | null;
  source: string;
  externalId: string;
  url: string | null;
  priority: Priority;
  receivedAt: Date;
}

/** Where today's pick stands, for the claim button or the name of who holds it. */
export type PickStatus =
  | { kind: 'unclaimed' }
  | { kind: 'claimed'; by: string }
  | { kind: 'called'; by: string | null }
  | { kind: 'do_not_call' };

/** Today's pick: none drawn yet, drawn from an empty pool, or a complaint. */
export type TodayPick =
  | { kind: 'none'; date: string }
  | { kind: 'empty'; date: string }
  | { kind: 'complaint'; date: string; poolSize: number; complaint: HomeComplaint; status: PickStatus };

/** One of the executive's open claims. Carries contact details: shown only in the claimer's own App Home. */
export interface OpenClaimItem {
  claimId: number;
  claimedAt: Date;
  attempts: number;
  complaint: HomeComplaint;
  phone: string | null;
  email: string | null;
}

/** One logged call in the executive's history. */
export interface AttemptItem {
  attemptId: number;
  at: Date;
  outcome: string;
  assessment: string | null;
  subject: string;
}

/** The executive's numbers over a window. */
export interface ExecutiveNumbers {
  days: number;
  claims: number;
  attempts: number;
  reached: number;
  advocates: number;
}

/** Today's pick post, which Slack refused for good: why, and where it was going. */
export interface PickPostFailure {
  outboxId: number;
  reason: string | null;
  channel: string | null;
}

/** What the executive's part of App Home shows. */
export interface ExecutiveHome {
  todayPick: TodayPick;
  /** Set while today's pick post has failed, so executives learn of it where they look. */
  pickPostFailure?: PickPostFailure | undefined;
  openClaims: Capped<OpenClaimItem>;
  history: Capped<AttemptItem>;
  numbers: ExecutiveNumbers;
  away: Capped<{ start: string; end: string }>;
}

/** What became of an escalation, most advanced state first. */
export type EscalationStatus =
  | { kind: 'advocate'; by: string | null }
  | { kind: 'reached'; by: string; on: string }
  | { kind: 'claimed'; by: string }
  | { kind: 'tried'; by: string; outcome: string }
  | { kind: 'picked'; on: string }
  | { kind: 'do_not_call' }
  | { kind: 'waiting' };

/** One complaint a support lead escalated. */
export interface EscalationItem {
  complaint: HomeComplaint;
  escalatedAt: Date;
  status: EscalationStatus;
}

/** What a support lead's part of App Home shows. */
export interface LeadHome {
  escalations: Capped<EscalationItem>;
}

/** The open actions App Home shows: the viewer's own, and for executives everyone else's (compact). */
export interface HomeActions {
  mine: ActionList;
  /** Undefined for someone who is not an executive. */
  others: ActionList | undefined;
}

/** While setup is incomplete: what Pickup still needs, and whether the viewer can set it up or whom to ask. */
export interface SetupNotice {
  missing: EssentialSetting[];
  /** True for an admin, who gets the "Set up Pickup" button. */
  canSetUp: boolean;
  /** Who the admins are, as mentions (roles.describeAdmins), for everyone else. */
  admins: string;
}

/** Everything one person's App Home shows; `executive` and `lead` are present for those roles. */
export interface HomeModel {
  userId: string;
  now: Date;
  today: string;
  timezone: string;
  execChannel: string | undefined;
  executive: ExecutiveHome | undefined;
  lead: LeadHome | undefined;
  /** Open actions, for anyone who owns some and for executives; absent when nothing was read. */
  actions?: HomeActions | undefined;
  /** Mentions of who grants access (from the configured lists), for everyone else. */
  askFor: { executives: string; supportLeads: string } | undefined;
  /** Set while the essential settings are incomplete: shown first, to everyone. */
  setup?: SetupNotice | undefined;
  /** For admins: every setting as it applies, with its source, and the button to the settings. */
  settings?: readonly EffectiveSetting[] | undefined;
}
