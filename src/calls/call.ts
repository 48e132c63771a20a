import type { ActionInput } from '../actions/action';

/** How a call went (contract: outcome_modal's `outcome`). */
export const OUTCOMES = ['reached', 'voicemail', 'no_answer', 'wrong_number', 'declined', 'rescheduled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that keep the claim open for another try. */
export const RETRY_OUTCOMES: readonly Outcome[] = ['voicemail', 'no_answer', 'rescheduled'];

/** The executive's read of the customer after the call (contract: outcome_modal's `advocate`). */
export const ASSESSMENTS = ['advocate', 'neutral', 'still_unhappy', 'too_early'] as const;
export type Assessment = (typeof ASSESSMENTS)[number];

/** Evidence that a customer promotes us, as recorded from the follow-up DM. */
export const EVIDENCE_KINDS = [
  'positive_review',
  'referral',
  'renewal_expansion',
  'public_praise',
  'testimonial',
  'none_yet',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Labels people see. */
export const OUTCOME_LABELS: Record<Outcome, string> = {
  reached: 'Reached the customer',
  voicemail: 'Left a voicemail',
  no_answer: 'No answer',
  wrong_number: 'Wrong number',
  declined: 'Customer declined to talk',
  rescheduled: 'Rescheduled',
};

export const ASSESSMENT_LABELS: Record<Assessment, string> = {
  advocate: 'Advocate: they would speak up for us',
  neutral: 'Neutral',
  still_unhappy: 'Still unhappy',
  too_early: 'Too early to tell',
};

export const EVIDENCE_LABELS: Record<EvidenceKind, string> = {
  positive_review: 'Positive review',
  referral: 'Referral',
  renewal_expansion: 'Renewal or expansion',
  public_praise: 'Public praise',
  testimonial: 'Testimonial',
  none_yet: 'None yet',
};

/** A claim as services hand it around. */
export interface Claim {
  id: number;
  complaintId: number;
  claimedBy: string;
  status: 'open' | 'released' | 'closed';
  claimedAt: Date;
}

/** One logged call. */
export interface AttemptInput {
  outcome: Outcome;
  notes: string | undefined;
  followUpDate: string | undefined;
  assessment: Assessment | undefined;
  okToQuote: boolean;
  /** What should change, when the executive said: it becomes an action with an owner. */
  action?: ActionInput | undefined;
  /** Thank the support team for the ticket (in SUPPORT_CHANNEL), with the executive's message if any. */
  thanks?: { message?: string | undefined } | undefined;
}
