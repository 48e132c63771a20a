import os from 'node:os';
import type { Kysely } from 'kysely';
import { ENV_VARIABLES } from '../config';
import { migrateToLatest } from '../db/migrate';
import type { Database } from '../db/schema';
import {
  type EffectiveSetting,
  isSettingName,
  SETTING_NAMES,
  type SettingName,
  type SettingsActor,
} from '../settings/settings';
import { findInstalledTeam, listSettingsChanges } from '../settings/settings.repository';
import { changeSettings, effectiveSettings } from '../settings/settings.service';
import {
  describeSettingValue,
  describeSource,
  describeValue,
  formatSettingTime,
  missingForSetup,
} from '../settings/settings.text';
import { type Command, type CommandContext, parseFlags, UsageError } from './support';

/** How many changes `settings history` prints unless --limit says otherwise. */
const DEFAULT_HISTORY_LIMIT = 20;

/** Said whenever a change cannot be saved because Pickup has not yet learned which workspace it serves. */
export const NO_WORKSPACE_YET =
  'Pickup has not connected to Slack yet, so it does not know its workspace and has nowhere to save settings. ' +
  'Start Pickup once with its Slack tokens so it learns its workspace; until then set the environment variables ' +
  '(in the environment or .env).';

/** Where each setting is also explained: the names an operator may give to `settings set`. */
const SETTABLE = `Settings you can set: ${SETTING_NAMES.join(', ')}.`;

/** Who a change made here is recorded as: the operating-system user running the CLI, or "cli" when it has none. */
function cliActor(): SettingsActor {
  try {
    return { via: 'cli', name: os.userInfo().username || 'cli' };
  } catch {
    // A container may run the CLI under a uid with no passwd entry: the change is still recorded, as made by "cli".
    return { via: 'cli', name: 'cli' };
  }
}

/** The lines of `settings`: every setting with its value and source, then what setup still needs. */
export function describeSettings(settings: readonly EffectiveSetting[], teamId: string | undefined): string[] {
  const nameWidth = Math.max(...settings.map((s) => s.name.length));
  const valueWidth = Math.min(40, Math.max(...settings.map((s) => describeSettingValue(s).length)));
  const lines = [
    teamId
      ? `Settings of Slack workspace ${teamId}: saved in Slack wins over the environment, which wins over the default.`
      : 'Pickup has not connected to Slack yet, so nothing is saved: each value comes from the environment or its default.',
    '',
    ...settings.map(
      (s) =>
        `  ${s.name.padEnd(nameWidth)}  ${describeSettingValue(s).padEnd(valueWidth)}  ${describeSource(s.source)}`,
    ),
    '',
    'Secrets (tokens, signing secrets, webhook secrets, API credentials) and where Pickup runs (database, port) stay',
    'in the environment only: they are never saved, shown or changed here.',
  ];
  const missing = missingForSetup(settings);
  lines.push(
    missing.length === 0
      ? 'Setup is complete: Pickup has its channels and people.'
      : `Missing for setup: ${missing.join(', ')}. Pickup posts nothing until they are set:\n` +
          "by an admin in Slack (Pickup's App Home → Set up Pickup), with `npm run cli -- settings set NAME VALUE`, " +
          'or in the environment.',
  );
  return lines;
}

/** The setting named on the command line; an unknown name, or one kept in the environment, is refused with the list. */
function settingNamed(ctx: CommandContext, name: string): SettingName | undefined {
  if (isSettingName(name)) return name;
  ctx.out(
    ENV_VARIABLES.includes(name)
      ? `${name} stays in the environment only: secrets, credentials and deployment settings are never saved in the database. ${SETTABLE}`
      : `Unknown setting "${name}". ${SETTABLE}`,
  );
  return undefined;
}

/** `settings set NAME VALUE` and `settings unset NAME`: validated as in Slack, audited as made by the CLI's user. */
async function change(ctx: CommandContext, name: SettingName, value: string | null): Promise<number> {
  return ctx.withDatabase(async ({ db }) => {
    await migrateToLatest(db);
    const teamId = await findInstalledTeam(db);
    if (!teamId) {
      ctx.out(NO_WORKSPACE_YET);
      return 1;
    }
    const before = await effectiveOf(db, teamId, ctx.env, name);
    const actor = cliActor();
    const result = await changeSettings(db, {
      teamId,
      env: ctx.env,
      change: { [name]: value },
      actor,
      now: ctx.now(),
    });
    if (!result.ok) {
      ctx.out(`Not saved: ${result.problems.map((p) => `${p.name}: ${p.message}`).join('; ')}`);
      return 1;
    }
    const after = await effectiveOf(db, teamId, ctx.env, name);
    ctx.out(describeChange(before, after, result.changed.length > 0, result.version));
    return 0;
  });
}

async function effectiveOf(
  db: Kysely<Database>,
  teamId: string,
  env: NodeJS.ProcessEnv,
  name: SettingName,
): Promise<EffectiveSetting> {
  const found = (await effectiveSettings(db, teamId, env)).find((s) => s.name === name);
  if (!found) throw new Error(`${name} is missing from the effective settings`);
  return found;
}

/** What a change did, old → new, each with where it comes from. */
function describeChange(before: EffectiveSetting, after: EffectiveSetting, changed: boolean, version: number): string {
  const show = (s: EffectiveSetting) => `${describeSettingValue(s)} (${describeSource(s.source)})`;
  if (!changed) {
    return before.source.kind === 'slack'
      ? `${before.name} is already saved as ${describeValue(before.value)}; nothing changed.`
      : `${before.name} has no saved value; it is ${show(before)}. Nothing changed.`;
  }
  return [
    `Saved (settings version ${version}):`,
    `  ${after.name}: ${show(before)} → ${show(after)}`,
    'A running Pickup applies it within seconds, on every instance, without a restart.',
  ].join('\n');
}

/** `settings history [--limit N]`: the audit trail, newest first. */
async function history(ctx: CommandContext, limit: number): Promise<number> {
  return ctx.withDatabase(async ({ db }) => {
    await migrateToLatest(db);
    const teamId = await findInstalledTeam(db);
    const changes = teamId ? await listSettingsChanges(db, teamId, limit) : [];
    if (changes.length === 0) {
      ctx.out('No settings have been saved: each comes from the environment or its default.');
      return 0;
    }
    for (const c of changes) {
      const by = c.via === 'cli' ? `the CLI (${c.changedBy})` : `<@${c.changedBy}> in Slack`;
      ctx.out(
        `${formatSettingTime(c.changedAt)}  v${c.version}  ${c.name}: ${describeValue(c.oldValue)} → ` +
          `${describeValue(c.newValue)}  by ${by}`,
      );
    }
    return 0;
  });
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_HISTORY_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${raw}"`);
  }
  return limit;
}

/** `settings`, `settings set NAME VALUE`, `settings unset NAME`, `settings history [--limit N]`. */
export const settingsCommand: Command = {
  summary:
    'the effective settings and where each comes from (slack, env, default); `set`/`unset` change one as an admin would in Slack; `history` shows who changed what',
  usage: 'settings | settings set NAME VALUE | settings unset NAME | settings history [--limit N]',
  purpose: 'database',
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { limit: { type: 'string' } }, true);
    const [sub, name, ...rest] = positionals;
    if (sub !== 'history' && values.limit !== undefined) throw new UsageError('--limit goes with `history`');
    if (sub === undefined) {
      return ctx.withDatabase(async ({ db }) => {
        await migrateToLatest(db);
        const teamId = await findInstalledTeam(db);
        for (const line of describeSettings(await effectiveSettings(db, teamId, ctx.env), teamId)) ctx.out(line);
        return 0;
      });
    }
    if (sub === 'history') {
      if (name !== undefined) throw new UsageError('`history` takes no name');
      return history(ctx, parseLimit(values.limit));
    }
    if (sub !== 'set' && sub !== 'unset') throw new UsageError(`unknown subcommand "${sub}"`);
    if (name === undefined) throw new UsageError(`give the name of the setting to ${sub}, e.g. EXECUTIVES`);
    // A value with spaces (a cron expression) may come unquoted, as several words: they are one value.
    const value = rest.join(' ').trim();
    if (sub === 'set' && value === '') {
      throw new UsageError(
        `give ${name}'s new value (to go back to the environment's, use \`settings unset ${name}\`)`,
      );
    }
    if (sub === 'unset' && rest.length > 0) throw new UsageError('`unset` takes a name only');
    const setting = settingNamed(ctx, name);
    if (!setting) return 1;
    return change(ctx, setting, sub === 'set' ? value : null);
  },
};
