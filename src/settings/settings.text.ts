import { DEFAULT_ACTION_THEMES } from '../actions/action';
import {
  type EffectiveSetting,
  ESSENTIALS,
  type EssentialSetting,
  type SettingName,
  type SettingSource,
} from './settings';

/** Defaults the domain supplies when a setting is unset everywhere (config.ts has none for them). */
const BUILT_IN: Partial<Record<SettingName, string>> = { ACTION_THEMES: DEFAULT_ACTION_THEMES.join(',') };

/** A moment as the settings' texts show it, to the minute and always in UTC: "2026-12-07 14:02 UTC". */
export function formatSettingTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Where a setting's value comes from, as the CLI prints it: "slack: set by <@U1> on 2026-12-07 14:02 UTC" (saved by
 * an admin in Slack), "slack: set by the CLI (alice) on …" (saved with `settings set`), "env" or "default".
 */
export function describeSource(source: SettingSource): string {
  if (source.kind !== 'slack') return source.kind;
  // A value saved before the audit trail existed has no known author (effectiveSettings says "unknown").
  if (source.by === 'unknown') return 'slack';
  const by = source.via === 'cli' ? `the CLI (${source.by})` : `<@${source.by}>`;
  return `slack: set by ${by} on ${formatSettingTime(source.at)}`;
}

/** A setting's text as shown, with "(unset)" for none (an optional setting, or a list whose default is empty). */
export function describeValue(value: string | null | undefined): string {
  return value ? value : '(unset)';
}

/** A setting's effective value as shown: its text, the domain's own default when it has one, or "(unset)". */
export function describeSettingValue(setting: EffectiveSetting): string {
  if (!setting.value && setting.source.kind === 'default') return describeValue(BUILT_IN[setting.name]);
  return describeValue(setting.value);
}

/** The essential settings that have no value yet, whatever their source: Pickup posts nothing until they do. */
export function missingForSetup(settings: readonly EffectiveSetting[]): EssentialSetting[] {
  const unset = new Set(settings.filter((s) => !s.value).map((s) => s.name));
  return ESSENTIALS.filter((name) => unset.has(name));
}
