import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/** A timestamptz column: Date when read, Date or ISO string when written, defaulted by the database. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `date` column, kept as its YYYY-MM-DD string (see the type parser in connection.ts). */
type DateString = string;
type Id = ColumnType<number, never, never>;
type Json<T> = ColumnType<T, string, string>;

export interface ComplaintsTable {
  id: Id;
  source: string;
  external_id: string;
  subject: string;
  description: string | null;
  support_tried: string | null;
  priority: 'urgent' | 'high' | 'normal' | 'low';
  tags: ColumnType<string[], string[] | undefined, string[]>;
  is_major: boolean;
  do_not_call: Generated<boolean>;
  customer_name: string | null;
  customer_company: string | null;
  customer_phone: string | null;
  /** The phone in E.164, for matching every format of one number (null when it cannot be read as a phone). */
  customer_phone_e164: ColumnType<string | null, string | null | undefined, string | null>;
  customer_email: string | null;
  customer_timezone: string | null;
  ticket_url: string | null;
  escalated_by: string | null;
  received_at: ColumnType<Date, Date | string, Date | string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
  pii_erased_at: NullableTimestamp;
  /** The vendor's own event or update time of the newest delivery applied; older deliveries change nothing. */
  source_updated_at: NullableTimestamp;
  /** When the complaint last turned major; null while it is not. The eligibility window counts from here. */
  became_major_at: NullableTimestamp;
  /** The help-desk agent assigned to the ticket, as the latest delivery naming one said (the email never goes to a channel). */
  assignee_name: ColumnType<string | null, string | null | undefined, string | null>;
  assignee_email: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PicksTable {
  id: Id;
  pick_date: DateString;
  complaint_id: number | null;
  pool_size: number;
  drawn_index: number | null;
  pool_hash: string;
  suggested_exec: string | null;
  trigger: string;
  created_at: Timestamp;
  /** The eligible ids the draw chose from; null on picks made before verifiable draws. */
  pool_ids: number[] | null;
  /** The week (its Monday) of the draw seed used; null on picks made before verifiable draws. */
  seed_week: DateString | null;
  /** The seed's SHA-256 as published with this pick. */
  seed_commitment: string | null;
}

/** One secret seed per Monday-to-Sunday week, committed to (SHA-256) before its first draw. */
export interface DrawSeedsTable {
  week_start: DateString;
  /** 32 random bytes as lowercase hex. */
  seed: string;
  /** SHA-256 of the seed's 32 bytes, as lowercase hex. */
  commitment: string;
  created_at: Timestamp;
}

export interface ClaimsTable {
  id: Id;
  complaint_id: number;
  claimed_by: string;
  status: ColumnType<'open' | 'released' | 'closed', 'open' | 'released' | 'closed' | undefined>;
  claimed_at: Timestamp;
  released_at: NullableTimestamp;
  release_reason: string | null;
  closed_at: NullableTimestamp;
}

export interface CallAttemptsTable {
  id: Id;
  claim_id: number;
  complaint_id: number;
  executive: string;
  outcome: string;
  notes: string | null;
  follow_up_date: DateString | null;
  advocate_assessment: string | null;
  ok_to_quote: Generated<boolean>;
  created_at: Timestamp;
}

export interface AdvocacyEvidenceTable {
  id: Id;
  complaint_id: number;
  kind: string;
  is_advocacy: boolean;
  source: 'executive' | 'followup' | 'survey';
  recorded_by: string | null;
  score: number | null;
  note: string | null;
  created_at: Timestamp;
}

export interface DigestsTable {
  id: Id;
  week_start: DateString;
  partial: Generated<boolean>;
  metrics: Json<unknown>;
  created_at: Timestamp;
}

export interface ExecutiveAwayTable {
  id: Id;
  user_id: string;
  start_date: DateString;
  end_date: DateString;
  created_at: Timestamp;
}

export interface OutboxTable {
  id: Id;
  dedupe_key: string;
  operation: string;
  payload: Json<unknown>;
  depends_on: string | null;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: NullableTimestamp;
  last_error: string | null;
  result_channel: string | null;
  result_ts: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Id;
  at: Timestamp;
  actor: string;
  action: string;
  complaint_id: number | null;
  details: Json<Record<string, unknown>>;
}

/** The one row saying when Pickup was first started (migration 0006). */
export interface InstallationTable {
  id: ColumnType<number, 1 | undefined, never>;
  first_started_at: ColumnType<Date, Date | string, never>;
  /** The Slack workspace this install serves, from auth.test (migration 0012). */
  team_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One workspace's settings saved in Slack or with `settings set`: env-variable names to their text values. */
export interface WorkspaceSettingsTable {
  team_id: string;
  version: Generated<number>;
  values: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: Generated<Timestamp>;
  updated_at: NullableTimestamp;
  updated_by: string | null;
  uninstalled_at: NullableTimestamp;
  uninstall_reason: string | null;
}

/** The audit of settings: one row per setting changed, with its old and new text (null: not set). */
export interface SettingsChangesTable {
  id: Generated<number>;
  team_id: string;
  version: number;
  name: string;
  old_value: string | null;
  new_value: string | null;
  changed_by: string;
  via: 'slack' | 'cli';
  changed_at: ColumnType<Date, Date | string, never>;
}

/** The whole database, as Kysely sees it. */
/** What a call taught us, owned by someone (see migrations/20261207_0009_actions.ts). */
export interface ActionsTable {
  id: Id;
  complaint_id: number;
  attempt_id: number | null;
  description: string;
  theme: string;
  owner_id: string;
  requested_by: string;
  due_date: DateString | null;
  status: ColumnType<'open' | 'done' | 'wont_do', 'open' | 'done' | 'wont_do' | undefined, 'open' | 'done' | 'wont_do'>;
  close_reason: string | null;
  closed_by: string | null;
  closed_at: NullableTimestamp;
  /** When to ask the owner whether the fix held (30 days after done); cleared by reopening. */
  fix_check_due_at: NullableTimestamp;
  fix_verdict: 'held' | 'came_back' | null;
  fix_checked_at: NullableTimestamp;
  reopened_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** How many changes the action has had; each change's messages are keyed by it (migration 0010). */
  revision: Generated<number>;
  /** The outbox key of the DM the owner acts from, which closing or reassigning edits (migration 0010). */
  owner_message_key: string | null;
}

/** One reminder DM per person per local day, listing the actions it covered. */
export interface ActionRemindersTable {
  user_id: string;
  local_date: DateString;
  action_ids: number[];
  sent_at: Timestamp;
}

export interface Database {
  complaints: ComplaintsTable;
  picks: PicksTable;
  draw_seeds: DrawSeedsTable;
  claims: ClaimsTable;
  call_attempts: CallAttemptsTable;
  advocacy_evidence: AdvocacyEvidenceTable;
  digests: DigestsTable;
  executive_away: ExecutiveAwayTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  installation: InstallationTable;
  workspace_settings: WorkspaceSettingsTable;
  settings_changes: SettingsChangesTable;
  actions: ActionsTable;
  action_reminders: ActionRemindersTable;
}

/** What a repository function runs on: the database, or a transaction the caller opened. */
export type Db = Kysely<Database> | Transaction<Database>;

export type ComplaintRow = Selectable<ComplaintsTable>;
export type NewComplaintRow = Insertable<ComplaintsTable>;
export type ComplaintUpdate = Updateable<ComplaintsTable>;
export type PickRow = Selectable<PicksTable>;
export type DrawSeedRow = Selectable<DrawSeedsTable>;
export type ClaimRow = Selectable<ClaimsTable>;
export type CallAttemptRow = Selectable<CallAttemptsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type ActionRow = Selectable<ActionsTable>;
export type NewActionRow = Insertable<ActionsTable>;
