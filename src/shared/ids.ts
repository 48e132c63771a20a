/** Slack identifiers from the contract. Listeners and builders use these, never string literals. */
export const ActionIds = {
  claimComplaint: 'claim_complaint',
  releaseClaim: 'release_claim',
  logOutcome: 'log_outcome',
  recordEvidence: 'record_evidence',
  homePage: 'home_page',
} as const;

export const CallbackIds = {
  escalateModal: 'escalate_modal',
  escalateMessage: 'escalate_message',
  outcomeModal: 'outcome_modal',
  releaseModal: 'release_modal',
} as const;

export const Commands = {
  escalate: '/escalate',
  pickup: '/pickup',
} as const;

/** Input block_ids of the escalate modal (contract). */
export const EscalateBlocks = {
  customerName: 'customer_name',
  company: 'company',
  customerPhone: 'customer_phone',
  customerEmail: 'customer_email',
  customerTimezone: 'customer_timezone',
  ticketUrl: 'ticket_url',
  subject: 'subject',
  supportTried: 'support_tried',
  priority: 'priority',
  doNotCall: 'do_not_call',
} as const;

/** Input block_ids of the outcome modal (contract). */
export const OutcomeBlocks = {
  outcome: 'outcome',
  notes: 'notes',
  followUpDate: 'follow_up_date',
  advocate: 'advocate',
  okToQuote: 'ok_to_quote',
} as const;

/** Block ids of the release modal. */
export const ReleaseBlocks = {
  reason: 'reason',
} as const;

/** Every input in Pickup's modals uses this action_id, so a block's value is at values[block_id].value. */
export const INPUT_ACTION_ID = 'value';
