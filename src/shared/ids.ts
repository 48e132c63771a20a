/** Slack identifiers from the contract. Listeners and builders use these, never string literals. */
export const ActionIds = {
  claimComplaint: 'claim_complaint',
  releaseClaim: 'release_claim',
  logOutcome: 'log_outcome',
  recordEvidence: 'record_evidence',
  homePage: 'home_page',
  actionDone: 'action_done',
  actionWontDo: 'action_wont_do',
  actionReassign: 'action_reassign',
  actionFixHeld: 'action_fix_held',
  actionFixCameBack: 'action_fix_came_back',
  /** App Home, admins: opens the settings (contract). */
  openSettings: 'open_settings',
  /** App Home, admins, while setup is incomplete: walks through channels → people → schedule. */
  setupPickup: 'setup_pickup',
  /** The settings menu's buttons, one per group: each pushes that group's modal. */
  editChannels: 'settings_edit_channels',
  editPeople: 'settings_edit_people',
  editSchedule: 'settings_edit_schedule',
  editRules: 'settings_edit_rules',
} as const;

/** Settings modals' callback_ids (contract: each starts with `settings_`). */
export const SettingsCallbackIds = {
  menu: 'settings_menu',
  channels: 'settings_channels',
  people: 'settings_people',
  schedule: 'settings_schedule',
  rules: 'settings_rules',
} as const;

/** External selects' action_ids in the settings modals, whose options Pickup serves (block_suggestion). */
export const SettingsOptionIds = {
  userGroups: 'settings_usergroups',
  timezone: 'settings_timezone',
  holidayCountry: 'settings_holiday_country',
} as const;

export const CallbackIds = {
  escalateModal: 'escalate_modal',
  escalateMessage: 'escalate_message',
  outcomeModal: 'outcome_modal',
  releaseModal: 'release_modal',
  actionWontDoModal: 'action_wont_do_modal',
  actionReassignModal: 'action_reassign_modal',
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
  change: 'change',
  theme: 'theme',
  actionOwner: 'action_owner',
  actionDue: 'action_due',
  thankSupport: 'thank_support',
  thankMessage: 'thank_message',
} as const;

/** Block ids of the release modal. */
export const ReleaseBlocks = {
  reason: 'reason',
} as const;

/** Block ids of the won't-do and reassign modals. */
export const ActionModalBlocks = {
  reason: 'reason',
  newOwner: 'new_owner',
} as const;

/** Every input in Pickup's modals uses this action_id, so a block's value is at values[block_id].value. */
export const INPUT_ACTION_ID = 'value';
