import type { Kysely } from 'kysely';
import { type Config, type ConfigProblem, type ConfigPurpose, checkConfig, defaultOf, nameOfProblem } from '../config';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import {
  type EffectiveSetting,
  ESSENTIALS,
  type EssentialSetting,
  isSettingName,
  SETTING_NAMES,
  type SettingName,
  type SettingsActor,
  type SettingsChange,
} from './settings';
import {
  ensureSettingsRecord,
  findLastChanges,
  findSettingsRecord,
  lockSettingsRecord,
  recordInstalledTeam,
  SETTINGS_CHANNEL,
  type SettingsRecordRow,
  settingsVersion,
  writeSettings,
} from './settings.repository';

/** Subscribes to a database notification channel; resolves with how to stop listening. */
export type Listen = (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;

/** A change every instance has applied: the configuration before and after, and the settings that differ. */
export interface SettingsChanged {
  before: Config;
  after: Config;
  names: SettingName[];
}

/** The settings of the workspace this process serves, kept current from the database. */
export interface LiveSettings {
  /** The configuration as it stands: a live view, so each read sees the latest saved settings, on every instance. */
  readonly config: Config;
  /** The workspace served, once known (recorded from auth.test; unknown only before the first connection). */
  teamId(): string | undefined;
  /** Records the workspace this install serves (from auth.test) and loads its settings. */
  adoptTeam(teamId: string): Promise<void>;
  /** Re-reads the settings now if their version moved; a notification or the poll calls it too. */
  refresh(): Promise<void>;
  /**
   * Validates and saves a change (see {@link changeSettings}) and applies it here at once; other instances follow
   * within seconds. `teamId` is the workspace the request came from, used until auth.test has named this one.
   */
  save(change: SettingsChange, actor: SettingsActor, now: Date, teamId?: string): Promise<ChangeResult>;
  /** Every setting as it applies now, with its source (for the settings modals and the CLI). */
  effective(): Promise<EffectiveSetting[]>;
  /** Called after each change is applied; returns how to unsubscribe. */
  onChange(listener: (change: SettingsChanged) => void | Promise<void>): () => void;
  /** The essential settings still unset (Pickup posts nothing until there are none). */
  missingEssentials(): EssentialSetting[];
  /** Set while Slack says the app was removed from the workspace: nothing is posted. */
  uninstalled(): { at: Date; reason: string } | undefined;
  stop(): Promise<void>;
}

/** What {@link startLiveSettings} needs. */
export interface LiveSettingsOptions {
  db: Kysely<Database>;
  env: NodeJS.ProcessEnv;
  purpose: ConfigPurpose;
  logger: Logger;
  teamId: string | undefined;
  /** LISTEN on the database, for changes within a moment; without it the poll alone finds them. */
  listen?: Listen | undefined;
  /** How often the version is re-read, in case a notification was missed (a reconnect, the embedded database). */
  pollMs?: number;
}

/** The fallback re-read: a change reaches every instance within this even without notifications. */
export const SETTINGS_POLL_MS = 3_000;

/**
 * Loads the workspace's settings over the environment and keeps them current: a NOTIFY from whichever instance (or
 * CLI) saved a change triggers a re-read, and a short poll of the version catches any notification missed.
 */
export async function startLiveSettings(options: LiveSettingsOptions): Promise<LiveSettings> {
  const { db, env, purpose, logger } = options;
  let teamId = options.teamId;
  let record = teamId ? await findSettingsRecord(db, teamId) : undefined;
  let current = effectiveConfig(env, record?.values ?? {}, purpose, logger);
  const listeners = new Set<(change: SettingsChanged) => void | Promise<void>>();
  let refreshing: Promise<void> | undefined;

  const apply = async (next: SettingsRecordRow | undefined) => {
    const before = current;
    const beforeValues = mergedTexts(env, record?.values ?? {});
    record = next;
    current = effectiveConfig(env, next?.values ?? {}, purpose, logger);
    const afterValues = mergedTexts(env, next?.values ?? {});
    const names = SETTING_NAMES.filter((n) => beforeValues[n] !== afterValues[n]);
    if (names.length === 0) return;
    logger.info({ settings: names, version: next?.version }, 'settings changed; applied without a restart');
    for (const listener of listeners) {
      try {
        await listener({ before, after: current, names });
      } catch (err) {
        logger.error({ err, settings: names }, 'a part of Pickup failed to apply a settings change');
      }
    }
  };

  const readAgain = async () => {
    if (!teamId) return;
    const version = await settingsVersion(db, teamId);
    if (version === record?.version) return;
    await apply(await findSettingsRecord(db, teamId));
  };
  // One re-read at a time: a burst of notifications costs one query, and listeners see changes in order.
  const refresh = () => {
    refreshing ??= readAgain().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const stopWatching = await watchForChanges(options, () => teamId, refresh);

  const live: LiveSettings = {
    config: liveView(() => current),
    teamId: () => teamId,
    async adoptTeam(id) {
      if (id === teamId) return;
      await recordInstalledTeam(db, id);
      await ensureSettingsRecord(db, id);
      teamId = id;
      await apply(await findSettingsRecord(db, id));
    },
    refresh,
    async save(change, actor, now, fromTeam) {
      const team = teamId ?? fromTeam;
      if (!team) throw new Error('settings cannot be saved before Pickup knows its Slack workspace');
      if (!teamId) await live.adoptTeam(team);
      const result = await changeSettings(db, { teamId: team, env, change, actor, now });
      if (result.ok && result.changed.length > 0) await refresh();
      return result;
    },
    effective: () => effectiveSettings(db, teamId, env),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    missingEssentials: () => missingEssentials(current),
    uninstalled: () =>
      record?.uninstalledAt ? { at: record.uninstalledAt, reason: record.uninstallReason ?? 'unknown' } : undefined,
    async stop() {
      await stopWatching();
      await refreshing?.catch(() => undefined);
    },
  };
  return live;
}

/**
 * Calls `refresh` on each NOTIFY about this workspace and, in case one is missed (a reconnect, a change made where
 * nothing notifies), every `pollMs`; resolves with how to stop.
 */
async function watchForChanges(
  options: Pick<LiveSettingsOptions, 'listen' | 'pollMs' | 'logger'>,
  teamId: () => string | undefined,
  refresh: () => Promise<void>,
): Promise<() => Promise<void>> {
  const { logger } = options;
  const poll = setInterval(() => {
    refresh().catch((err: unknown) => logger.warn({ err }, 'could not re-read the settings; retrying'));
  }, options.pollMs ?? SETTINGS_POLL_MS);
  poll.unref();
  const unlisten = options.listen
    ? await options.listen(SETTINGS_CHANNEL, (payload) => {
        if (payload !== teamId()) return;
        refresh().catch((err: unknown) => logger.warn({ err }, 'could not re-read the settings after a change'));
      })
    : undefined;
  return async () => {
    clearInterval(poll);
    await unlisten?.();
  };
}

/** The essential settings unset in a configuration. */
export function missingEssentials(config: Config): EssentialSetting[] {
  const present: Record<EssentialSetting, boolean> = {
    EXEC_CHANNEL: config.execChannel !== '',
    LEADERSHIP_CHANNEL: config.leadershipChannel !== '',
    EXECUTIVES: config.executives.length > 0,
    SUPPORT_LEADS: config.supportLeads.length > 0,
  };
  return ESSENTIALS.filter((name) => !present[name]);
}

/**
 * A view of a configuration that always reads the latest one: every part of Pickup keeps the `config` it was built
 * with, and still sees a setting saved a moment ago.
 */
function liveView(read: () => Config): Config {
  const view: Partial<Config> = {};
  for (const key of Object.keys(read()) as (keyof Config)[]) {
    Object.defineProperty(view, key, { enumerable: true, get: () => read()[key] });
  }
  return Object.freeze(view) as Config;
}

/** The settings' texts as they apply: saved values over the environment's (blank counts as unset). */
function mergedTexts(env: NodeJS.ProcessEnv, saved: Readonly<Record<string, string>>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = saved[name] ?? env[name]?.trim();
    if (value) texts[name] = value;
  }
  return texts;
}

/**
 * The configuration with saved settings over the environment. A saved value that no longer validates (a rule
 * tightened by an upgrade) is set aside with a warning, so the rest still apply and Pickup keeps running.
 */
function effectiveConfig(
  env: NodeJS.ProcessEnv,
  saved: Readonly<Record<string, string>>,
  purpose: ConfigPurpose,
  logger: Logger,
): Config {
  let values = { ...saved };
  for (;;) {
    const checked = checkConfig({ ...env, ...values }, purpose);
    if (checked.ok) return checked.config;
    const bad = checked.problems.map((p) => nameOfProblem(p).name).filter((name) => name in values);
    if (bad.length === 0) throw new Error(`the environment is invalid: ${checked.problems.join('; ')}`);
    logger.warn({ settings: bad, problems: checked.problems }, 'ignoring saved settings that no longer validate');
    values = Object.fromEntries(Object.entries(values).filter(([name]) => !bad.includes(name)));
  }
}

/** The outcome of a change: saved (with the names that changed), or refused with a problem per setting. */
export type ChangeResult =
  | { ok: true; version: number; changed: SettingName[] }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Validates and saves a change to a workspace's settings, in one transaction that audits each setting changed and
 * notifies every instance. Validation is config.ts's, over the environment with the saved and new values, so a value
 * Slack accepts is one the environment would accept too. Nothing is written when anything is invalid.
 */
export async function changeSettings(
  db: Kysely<Database>,
  input: { teamId: string; env: NodeJS.ProcessEnv; change: SettingsChange; actor: SettingsActor; now: Date },
): Promise<ChangeResult> {
  const unknown = Object.keys(input.change).filter((name) => !isSettingName(name));
  if (unknown.length > 0) {
    return {
      ok: false,
      problems: unknown.map((name) => ({
        name,
        message: `is not a setting that can be changed here (settings: ${SETTING_NAMES.join(', ')})`,
      })),
    };
  }
  return db.transaction().execute(async (trx) => {
    const record = await lockSettingsRecord(trx, input.teamId);
    const values: Record<string, string> = { ...record.values };
    const changes = [];
    for (const [name, raw] of Object.entries(input.change)) {
      const next = raw?.trim() ? raw.trim() : null;
      const old = values[name] ?? null;
      if (next === old) continue;
      if (next === null) delete values[name];
      else values[name] = next;
      changes.push({ name, oldValue: old, newValue: next });
    }
    const checked = checkConfig({ ...input.env, ...values }, 'database');
    if (!checked.ok) {
      const problems = checked.problems.map(nameOfProblem).filter((p) => p.name in input.change);
      if (problems.length > 0) return { ok: false, problems };
    }
    if (changes.length === 0) return { ok: true, version: record.version, changed: [] };
    const actor =
      input.actor.via === 'slack'
        ? { changedBy: input.actor.userId, via: 'slack' as const }
        : { changedBy: input.actor.name, via: 'cli' as const };
    const version = await writeSettings(trx, { ...record, values }, changes, actor, input.now);
    return { ok: true, version, changed: changes.map((c) => c.name as SettingName) };
  });
}

/** Every setting as it applies now, with its source: saved (by whom, when), the environment, or the default. */
export async function effectiveSettings(
  db: Kysely<Database>,
  teamId: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<EffectiveSetting[]> {
  const record = teamId ? await findSettingsRecord(db, teamId) : undefined;
  const last = new Map(teamId ? (await findLastChanges(db, teamId)).map((c) => [c.name, c]) : []);
  return SETTING_NAMES.map((name): EffectiveSetting => {
    const saved = record?.values[name];
    const change = last.get(name);
    if (saved !== undefined) {
      return {
        name,
        value: saved,
        source: change
          ? { kind: 'slack', by: change.changedBy, at: change.changedAt, via: change.via }
          : { kind: 'slack', by: 'unknown', at: new Date(0), via: 'slack' },
      };
    }
    const fromEnv = env[name]?.trim();
    if (fromEnv) return { name, value: fromEnv, source: { kind: 'env' } };
    return { name, value: defaultOf(name), source: { kind: 'default' } };
  });
}
