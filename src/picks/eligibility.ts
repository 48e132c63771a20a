import { DAY_MS } from '../shared/time';

/** Which complaints may be drawn: the pure rule (its SQL twin is `findEligibleComplaintIds`). */

/** The customer details that identify "the same customer" for the cooldown. */
export interface CustomerKeys {
  email: string | null;
  phone: string | null;
  company: string | null;
}

/** Everything eligibility looks at for one complaint: its own fields plus facts from other tables. */
export interface EligibilityCandidate {
  id: number;
  isMajor: boolean;
  doNotCall: boolean;
  closedAt: Date | null;
  receivedAt: Date;
  /**
   * When it last turned major: the eligibility window counts from here, not from receipt. Null while it is not
   * major, and on a major row an older release wrote during a rolling upgrade, which then counts from `receivedAt`.
   */
  becameMajorAt: Date | null;
  customer: CustomerKeys;
  /** Has a row in picks. */
  picked: boolean;
  /** Has a call attempt with outcome 'reached'. */
  reached: boolean;
  /** Has a claim with status 'open'. */
  openClaim: boolean;
  /** Its contact details and text were erased (pii_erased_at set): there is nobody left to call. */
  erased: boolean;
}

/** A past pick of some customer, for the cooldown. */
export interface PickedCustomer {
  complaintId: number;
  pickedAt: Date;
  customer: CustomerKeys;
}

/** The settings and history eligibility is judged against. */
export interface EligibilityContext {
  now: Date;
  eligibleDays: number;
  cooldownDays: number;
  /** Picks with a complaint; older ones are allowed and ignored. */
  pickedCustomers: readonly PickedCustomer[];
}

/** The window settings shared by the pure rule and its SQL twin. */
export interface EligibilityWindow {
  now: Date;
  eligibleDays: number;
  cooldownDays: number;
}

/**
 * The two cut-offs, computed once in JS so the pure rule and the SQL query compare against the same instants.
 * Days are 24-hour periods back from `now`, not calendar days, so the result does not depend on a time zone.
 */
export function eligibilityCutoffs(window: EligibilityWindow): { majorSince: Date; pickedAfter: Date } {
  return {
    majorSince: new Date(window.now.getTime() - window.eligibleDays * DAY_MS),
    pickedAfter: new Date(window.now.getTime() - window.cooldownDays * DAY_MS),
  };
}

/** Which identifying detail two customers share, if any (same rule as the SQL: nulls never match). */
export function sameCustomerBy(a: CustomerKeys, b: CustomerKeys): 'email' | 'phone' | 'company' | null {
  if (a.email !== null && a.email === b.email) return 'email';
  if (a.phone !== null && a.phone === b.phone) return 'phone';
  if (a.company !== null && b.company !== null && a.company.toLowerCase() === b.company.toLowerCase()) return 'company';
  return null;
}

/**
 * The eligibility rule as a pure function; `findEligibleComplaintIds` is its SQL twin and tests hold them equal.
 * Every failed condition is listed, so an explanation shows all the reasons at once.
 */
export function isEligible(
  candidate: EligibilityCandidate,
  context: EligibilityContext,
): { eligible: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const { majorSince, pickedAfter } = eligibilityCutoffs(context);
  if (!candidate.isMajor) reasons.push('not major');
  if (candidate.doNotCall) reasons.push('marked do-not-call');
  if (candidate.closedAt !== null) reasons.push('closed');
  // Only a major complaint has an age to judge; "not major" already says why the others are out.
  if (candidate.isMajor && (candidate.becameMajorAt ?? candidate.receivedAt).getTime() < majorSince.getTime()) {
    reasons.push(`major for more than ${context.eligibleDays} days`);
  }
  if (candidate.picked) reasons.push('already picked');
  if (candidate.reached) reasons.push('customer already reached');
  if (candidate.openClaim) reasons.push('already claimed by an executive');
  if (candidate.erased) reasons.push('erased');
  for (const pick of context.pickedCustomers) {
    // The complaint's own pick is "already picked", not a cooldown.
    if (pick.complaintId === candidate.id || pick.pickedAt.getTime() <= pickedAfter.getTime()) continue;
    const by = sameCustomerBy(candidate.customer, pick.customer);
    if (by !== null) {
      reasons.push(`same customer (${by}) picked within ${context.cooldownDays} days`);
      break;
    }
  }
  return { eligible: reasons.length === 0, reasons };
}
