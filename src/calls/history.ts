import type { ThreadMessage } from '../ports/helpdesk.port';
import type { Assessment, Outcome } from './call';

/** How many of each list the brief shows (the newest); the rest is a count. */
export const HISTORY_LIMITS = { complaints: 5, calls: 5, surveys: 5 } as const;

/** A call an executive made to this customer, on the complaint being called about or an earlier one. */
export interface PastCall {
  complaintId: number;
  /** True when it was on the complaint the brief is about (an earlier try, by this or another executive). */
  onThisComplaint: boolean;
  executive: string;
  outcome: Outcome;
  assessment: Assessment | null;
  at: Date;
}

/** A survey score (0 to 10) the customer gave after a call (POST /webhooks/feedback). */
export interface SurveyScore {
  complaintId: number;
  score: number;
  at: Date;
}

/** An earlier complaint from the same customer, and how it was found to be theirs. */
export interface EarlierComplaint {
  id: number;
  matchedBy: 'email' | 'phone' | 'company';
  receivedAt: Date;
  subject: string;
  source: string;
  externalId: string;
  url: string | null;
  closedAt: Date | null;
  /** The newest executive call on it, if any. */
  lastCall: PastCall | undefined;
}

/** What the brief shows of the customer's past with us: bounded lists, each with how many there are in all. */
export interface CustomerHistory {
  /** The newest earlier complaints, newest first. */
  earlier: EarlierComplaint[];
  /** How many earlier complaints there are in all (more than `earlier` holds when the list was cut). */
  earlierTotal: number;
  /** Executive calls on this complaint and the earlier ones listed, newest first. */
  calls: PastCall[];
  /** Survey scores on those complaints, newest first. */
  surveys: SurveyScore[];
}

/** What became of fetching the ticket's public thread for the brief's "In their words". */
export type TicketThread = { status: 'loaded'; messages: ThreadMessage[] } | { status: 'failed'; reason: string };
