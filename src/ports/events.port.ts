import type { Priority } from '../complaints/complaint';

/**
 * The events Pickup sends to OUTCOME_WEBHOOK_URL, so a CRM or BI tool can follow along. They carry no contact
 * details: no customer name, phone or email, and free text only after the redaction policy (privacy/redact.ts).
 * People on our side are Slack user IDs.
 */

/** The complaint an event is about, as a receiver needs it to find the ticket on its side. */
export interface EventComplaint {
  id: number;
  /** The help desk (zendesk, freshdesk, jira, intercom, helpscout), `slack` for an escalation, or a custom source. */
  source: string;
  /** The ticket's id in its source (Jira's issue key, Help Scout's conversation id). */
  externalId: string;
  /** The ticket's URL, when the source gave one. */
  url: string | null;
  /** Redacted. */
  subject: string;
  priority: Priority;
  /** The customer's company, redacted; never their name, phone or email. */
  company: string | null;
  /** ISO 8601. */
  receivedAt: string;
}

/** `complaint.picked`: the daily draw chose this complaint. */
export interface ComplaintPickedData {
  complaint: EventComplaint;
  pick: { id: number; date: string; poolSize: number; suggestedExecutive: string | null };
}

/** `complaint.claimed`: an executive took the call. */
export interface ComplaintClaimedData {
  complaint: EventComplaint;
  claim: { id: number; executive: string; claimedAt: string };
}

/** `attempt.logged`: an executive logged a call. `learning` is the notes, redacted, only when marked shareable. */
export interface AttemptLoggedData {
  complaint: EventComplaint;
  attempt: {
    id: number;
    claimId: number;
    executive: string;
    outcome: string;
    followUpDate: string | null;
    assessment: string | null;
    learning: string | null;
    /** True when the claim stays open for another try (voicemail, no answer, rescheduled). */
    claimOpen: boolean;
  };
}

/** `advocate.recorded`: evidence that the customer now promotes us. */
export interface AdvocateRecordedData {
  complaint: EventComplaint;
  evidence: {
    /** executive_assessment, positive_review, referral, renewal_expansion, public_praise, testimonial, survey_promoter. */
    kind: string;
    source: 'executive' | 'followup' | 'survey';
    /** The survey score (0 to 10), for survey evidence. */
    score: number | null;
    /** Who recorded it (a Slack user ID); null for a survey. */
    recordedBy: string | null;
  };
}

/** Where an action (what a call taught us) stands. */
export type ActionStatus = 'open' | 'done' | 'wont_do';

/** `action.changed`: an action was opened, reassigned, closed or reopened. */
export interface ActionChangedData {
  action: {
    id: number;
    complaintId: number;
    status: ActionStatus;
    theme: string | null;
    /** The owner's Slack user ID. */
    owner: string;
    /** YYYY-MM-DD, or null without a due date. */
    dueDate: string | null;
  };
}

/** Every event type and its data. */
export interface PickupEventData {
  'complaint.picked': ComplaintPickedData;
  'complaint.claimed': ComplaintClaimedData;
  'attempt.logged': AttemptLoggedData;
  'advocate.recorded': AdvocateRecordedData;
  'action.changed': ActionChangedData;
}

/** The name of an event type. */
export type PickupEventType = keyof PickupEventData;

/** Every event type, in the order the README lists them. */
export const PICKUP_EVENT_TYPES: readonly PickupEventType[] = [
  'complaint.picked',
  'complaint.claimed',
  'attempt.logged',
  'advocate.recorded',
  'action.changed',
];

/**
 * One event as it is sent: the JSON body of the POST. `id` is the idempotency key: chosen when the event is
 * queued and the same on every retry, so a receiver that sees it twice knows it is the same event.
 */
export type PickupEvent = {
  [T in PickupEventType]: { id: string; type: T; occurredAt: string; data: PickupEventData[T] };
}[PickupEventType];

/** Delivers events to the receiver; implementations throw {@link WebhookDeliveryError}. */
export interface OutgoingWebhook {
  send(event: PickupEvent): Promise<void>;
}

/**
 * The receiver did not take an event. Permanent (a refusal such as 410 or 400) or `retryable` (408, 429, 5xx,
 * network failure, time-out), with `retryAfterMs` when the receiver said when to come back.
 */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'WebhookDeliveryError';
  }

  /** The HTTP status the receiver answered, when it answered at all. */
  get status(): number | undefined {
    return this.options.status;
  }

  /** How long the receiver asked us to wait. */
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}
