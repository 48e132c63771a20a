import { z } from 'zod';
import type { UserGroup } from '../ports/slack.port';
import { SettingsOptionIds } from '../shared/ids';
import type { EffectiveSetting, SettingName } from './settings';

/**
 * Whether a Channels or People modal edits one group from the settings menu, or is a step of the first-run setup
 * (channels → people → schedule), which moves on to the next step instead of closing.
 */
export type SettingsMode = 'edit' | 'setup';

/** What the Channels and People modals carry in private_metadata. */
export const settingsModalMetadata = z.object({ mode: z.enum(['edit', 'setup']) });

/** The parsed private_metadata of a Channels or People modal. */
export type SettingsModalMetadata = z.infer<typeof settingsModalMetadata>;

/**
 * Block ids of the Channels and People modals. A setting's input has the setting's own name as block_id, so a
 * problem that settings.service reports by name lands under its field without a table in between.
 */
export const SettingsBlocks = {
  execChannel: 'EXEC_CHANNEL',
  leadershipChannel: 'LEADERSHIP_CHANNEL',
  supportChannel: 'SUPPORT_CHANNEL',
  executives: 'EXECUTIVES',
  supportLeads: 'SUPPORT_LEADS',
  executiveGroups: 'EXECUTIVES_GROUPS',
  supportLeadGroups: 'SUPPORT_LEADS_GROUPS',
} as const satisfies Record<string, string>;

/** The channel settings, in the order the Channels modal asks for them. */
export const CHANNEL_SETTINGS = ['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'SUPPORT_CHANNEL'] as const;

/** A channel setting. */
export type ChannelSetting = (typeof CHANNEL_SETTINGS)[number];

/** The people settings, in the order the People modal asks for them. */
export const PEOPLE_SETTINGS = ['EXECUTIVES', 'SUPPORT_LEADS'] as const;

/** A people setting. */
export type PeopleSetting = (typeof PEOPLE_SETTINGS)[number];

/** The block of each people setting's user-group picker. */
export const GROUP_BLOCKS: Record<PeopleSetting, string> = {
  EXECUTIVES: SettingsBlocks.executiveGroups,
  SUPPORT_LEADS: SettingsBlocks.supportLeadGroups,
};

/**
 * The action_id of each user-group picker. Both start with SettingsOptionIds.userGroups, which the options listener
 * matches, and each is its own, so no two elements of the People modal share an action_id.
 */
export const GROUP_ACTION_IDS: Record<PeopleSetting, string> = {
  EXECUTIVES: `${SettingsOptionIds.userGroups}_executives`,
  SUPPORT_LEADS: `${SettingsOptionIds.userGroups}_support_leads`,
};

/** The most options Slack shows in an external select. */
export const MAX_GROUP_OPTIONS = 100;

/** The settings as they apply, by name, for a modal to read its fields' current values and sources. */
export type EffectiveByName = ReadonlyMap<SettingName, EffectiveSetting>;

/** Indexes the effective settings by name. */
export function byName(effective: readonly EffectiveSetting[]): EffectiveByName {
  return new Map(effective.map((s) => [s.name, s]));
}

/** The entries of a people setting's text ("U1,S2" → ["U1", "S2"]). */
export function entriesOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/** True for a user group's ID (S…), as opposed to a user's. */
export function isGroupId(entry: string): boolean {
  return entry.startsWith('S');
}

/**
 * The user groups whose typed text matches `query` (name or handle, any case), at most Slack's 100, in name order:
 * the options of a user-group picker.
 */
export function matchingGroups(groups: readonly UserGroup[], query: string): UserGroup[] {
  const q = query.trim().toLowerCase().replace(/^@/, '');
  return groups
    .filter((g) => !q || g.name.toLowerCase().includes(q) || g.handle.toLowerCase().includes(q))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_GROUP_OPTIONS);
}
