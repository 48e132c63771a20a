import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Db } from '../db/schema';

/** The channel every instance listens on; the payload is the workspace whose settings changed. */
export const SETTINGS_CHANNEL = 'pickup_settings';

/** A workspace's settings record. */
export interface SettingsRecordRow {
  teamId: string;
  version: number;
  values: Readonly<Record<string, string>>;
  uninstalledAt: Date | null;
  uninstallReason: string | null;
}

/** The last change of each saved setting: who, how and when. */
export interface LastChangeRow {
  name: string;
  changedBy: string;
  via: 'slack' | 'cli';
  changedAt: Date;
}

/** Creates the workspace's record (nothing saved yet) unless it exists. */
export async function ensureSettingsRecord(db: Db, teamId: string): Promise<void> {
  await db
    .insertInto('workspace_settings')
    .values({ team_id: teamId })
    .onConflict((oc) => oc.column('team_id').doNothing())
    .execute();
}

/** The workspace's record, or undefined before it has one. */
export async function findSettingsRecord(db: Db, teamId: string): Promise<SettingsRecordRow | undefined> {
  const row = await db
    .selectFrom('workspace_settings')
    .select(['team_id', 'version', 'values', 'uninstalled_at', 'uninstall_reason'])
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** The record's version alone: what every instance polls to notice a change it was not notified of. */
export async function settingsVersion(db: Db, teamId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('workspace_settings')
    .select(['version'])
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return row?.version;
}

/** Locks the workspace's record for a change (creating it first), so concurrent saves apply one after the other. */
export async function lockSettingsRecord(trx: Transaction<Database>, teamId: string): Promise<SettingsRecordRow> {
  await ensureSettingsRecord(trx, teamId);
  const row = await trx
    .selectFrom('workspace_settings')
    .select(['team_id', 'version', 'values', 'uninstalled_at', 'uninstall_reason'])
    .where('team_id', '=', teamId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

/** One audited change of one setting. */
export interface SettingChangeInput {
  name: string;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * Writes the new values of a locked record, bumps its version, audits each change and notifies every instance
 * (NOTIFY is delivered at commit, so nobody reads the change before it is there).
 */
export async function writeSettings(
  trx: Transaction<Database>,
  record: { teamId: string; version: number; values: Readonly<Record<string, string>> },
  changes: readonly SettingChangeInput[],
  actor: { changedBy: string; via: 'slack' | 'cli' },
  now: Date,
): Promise<number> {
  const version = record.version + 1;
  await trx
    .updateTable('workspace_settings')
    .set({ values: JSON.stringify(record.values), version, updated_at: now, updated_by: actor.changedBy })
    .where('team_id', '=', record.teamId)
    .execute();
  await trx
    .insertInto('settings_changes')
    .values(
      changes.map((c) => ({
        team_id: record.teamId,
        version,
        name: c.name,
        old_value: c.oldValue,
        new_value: c.newValue,
        changed_by: actor.changedBy,
        via: actor.via,
        changed_at: now,
      })),
    )
    .execute();
  await notifySettingsChanged(trx, record.teamId);
  return version;
}

/** Tells every listening instance that the workspace's record changed (on commit, when inside a transaction). */
export async function notifySettingsChanged(db: Db, teamId: string): Promise<void> {
  await sql`SELECT pg_notify(${SETTINGS_CHANNEL}, ${teamId})`.execute(db);
}

/** Who last changed each saved setting, and when. */
export async function findLastChanges(db: Db, teamId: string): Promise<LastChangeRow[]> {
  const rows = await db
    .selectFrom('settings_changes')
    .distinctOn('name')
    .select(['name', 'changed_by', 'via', 'changed_at'])
    .where('team_id', '=', teamId)
    .orderBy('name')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ name: r.name, changedBy: r.changed_by, via: r.via, changedAt: r.changed_at }));
}

/** One row of the audit trail. */
export interface SettingsChangeRow extends LastChangeRow {
  version: number;
  oldValue: string | null;
  newValue: string | null;
}

/** The audit trail, newest first. */
export async function listSettingsChanges(db: Db, teamId: string, limit: number): Promise<SettingsChangeRow[]> {
  const rows = await db
    .selectFrom('settings_changes')
    .selectAll()
    .where('team_id', '=', teamId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    name: r.name,
    changedBy: r.changed_by,
    via: r.via,
    changedAt: r.changed_at,
    version: r.version,
    oldValue: r.old_value,
    newValue: r.new_value,
  }));
}

/** The workspace this install serves, as auth.test last said; undefined until Pickup has reached Slack once. */
export async function findInstalledTeam(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('installation').select('team_id').executeTakeFirst();
  return row?.team_id ?? undefined;
}

/** Records the workspace this install serves (the installation row exists: start-up writes it first). */
export async function recordInstalledTeam(db: Db, teamId: string): Promise<void> {
  await db.updateTable('installation').set({ team_id: teamId }).execute();
}

/**
 * Marks the workspace uninstalled (app_uninstalled, tokens_revoked), or installed again with `at` null. Bumps the
 * version and notifies, so every instance stops (or resumes) posting within seconds.
 */
export async function setUninstalled(db: Db, teamId: string, at: Date | null, reason: string | null): Promise<void> {
  await ensureSettingsRecord(db, teamId);
  await db
    .updateTable('workspace_settings')
    .set((eb) => ({ uninstalled_at: at, uninstall_reason: reason, version: eb('version', '+', 1) }))
    .where('team_id', '=', teamId)
    .execute();
  await notifySettingsChanged(db, teamId);
}

function toRecord(row: {
  team_id: string;
  version: number;
  values: Record<string, string>;
  uninstalled_at: Date | null;
  uninstall_reason: string | null;
}): SettingsRecordRow {
  return {
    teamId: row.team_id,
    version: row.version,
    values: Object.freeze({ ...row.values }),
    uninstalledAt: row.uninstalled_at,
    uninstallReason: row.uninstall_reason,
  };
}
