import { type Kysely, sql } from 'kysely';

/**
 * Settings an admin saves in Slack (or with `settings set`), one record per Slack workspace, and the audit of every
 * change. Values are kept as the environment variable's text (`EXECUTIVES` = "U1,S2"), so one validation serves the
 * environment, Slack and the CLI. `installation.team_id` is the workspace this install serves, learned from Slack's
 * auth.test, so a restart loads its settings before Slack answers; `uninstalled_at` holds every post after Slack
 * says the app was removed, until it is installed again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE workspace_settings (
      team_id           text PRIMARY KEY,
      version           integer NOT NULL DEFAULT 0,
      "values"          jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz,
      updated_by        text,
      uninstalled_at    timestamptz,
      uninstall_reason  text
    )`.execute(db);
  await sql`
    CREATE TABLE settings_changes (
      id          bigserial PRIMARY KEY,
      team_id     text NOT NULL REFERENCES workspace_settings (team_id),
      version     integer NOT NULL,
      name        text NOT NULL,
      old_value   text,
      new_value   text,
      changed_by  text NOT NULL,
      via         text NOT NULL CHECK (via IN ('slack', 'cli')),
      changed_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX settings_changes_team_idx ON settings_changes (team_id, id DESC)`.execute(db);
  await sql`ALTER TABLE installation ADD COLUMN team_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE installation DROP COLUMN team_id`.execute(db);
  await sql`DROP TABLE settings_changes`.execute(db);
  await sql`DROP TABLE workspace_settings`.execute(db);
}
