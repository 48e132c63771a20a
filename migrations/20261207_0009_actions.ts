import { type Kysely, sql } from 'kysely';

/**
 * Actions: what a call taught us, owned by someone, with a due date. An action is open until its owner (or the
 * executive who asked, or another executive) marks it done or won't-do. Thirty days after "done", Pickup asks the
 * owner whether the fix held; "came back" reopens it. Reminders are ledgered per person and local day, so each goes
 * out once and nobody gets more than one a day, whichever instance sends it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE actions (
      id             serial PRIMARY KEY,
      complaint_id   integer NOT NULL REFERENCES complaints(id),
      attempt_id     integer REFERENCES call_attempts(id),
      description    text NOT NULL,
      theme          text NOT NULL,
      owner_id       text NOT NULL,
      requested_by   text NOT NULL,
      due_date       date,
      status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'wont_do')),
      close_reason   text,
      closed_by      text,
      closed_at      timestamptz,
      fix_check_due_at timestamptz,
      fix_verdict    text CHECK (fix_verdict IN ('held', 'came_back')),
      fix_checked_at timestamptz,
      reopened_count integer NOT NULL DEFAULT 0,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      -- one action per logged call: a re-submitted outcome modal never opens a second
      UNIQUE (attempt_id)
    )`.execute(db);
  await sql`CREATE INDEX actions_by_complaint ON actions (complaint_id)`.execute(db);
  await sql`CREATE INDEX actions_open_by_owner ON actions (owner_id) WHERE status = 'open'`.execute(db);
  await sql`CREATE INDEX actions_by_theme ON actions (theme, created_at)`.execute(db);
  await sql`CREATE INDEX actions_fix_check_due ON actions (fix_check_due_at) WHERE fix_check_due_at IS NOT NULL AND fix_checked_at IS NULL`.execute(
    db,
  );
  await sql`
    CREATE TABLE action_reminders (
      user_id     text NOT NULL,
      local_date  date NOT NULL,
      action_ids  integer[] NOT NULL,
      sent_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, local_date)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS action_reminders`.execute(db);
  await sql`DROP TABLE IF EXISTS actions`.execute(db);
}
