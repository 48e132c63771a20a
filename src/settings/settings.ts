import { ESSENTIAL_SETTINGS } from '../config';

/**
 * The settings an admin may change in Slack (or with `settings set`), by their environment variable's name. Values
 * are the variable's text ("U1,S2" for EXECUTIVES), validated by config.ts exactly as the environment is. Secrets and
 * deployment choices (tokens, DATABASE_URL, PORT, PICKUP_ADMINS) are not among them: they stay in the environment.
 */
export const SETTINGS = {
  EXEC_CHANNEL: { group: 'channels', label: "Executives' channel", help: 'where the daily pick is posted' },
  LEADERSHIP_CHANNEL: { group: 'channels', label: 'Leadership channel', help: 'where the weekly digest is posted' },
  SUPPORT_CHANNEL: {
    group: 'channels',
    label: 'Support channel',
    help: 'where the support team hears that an executive called, and is thanked (optional)',
  },
  EXECUTIVES: { group: 'people', label: 'Executives', help: 'who claim complaints and call' },
  SUPPORT_LEADS: { group: 'people', label: 'Support leads', help: 'who escalate complaints with /escalate' },
  TIMEZONE: { group: 'schedule', label: 'Time zone', help: 'the zone of the schedules and holidays' },
  PICK_SCHEDULE: { group: 'schedule', label: 'Daily pick', help: 'when the pick is posted (cron)' },
  DIGEST_SCHEDULE: { group: 'schedule', label: 'Weekly digest', help: 'when the digest is posted (cron)' },
  HOLIDAYS: { group: 'schedule', label: 'Holidays', help: 'dates with no pick' },
  HOLIDAY_COUNTRY: {
    group: 'schedule',
    label: 'Public holidays of',
    help: "a country's (or region's) public holidays have no pick",
  },
  MAJOR_PRIORITIES: {
    group: 'rules',
    label: 'Major priorities',
    help: 'ticket priorities that make a complaint major',
  },
  MAJOR_TAGS: { group: 'rules', label: 'Major tags', help: 'ticket tags that make a complaint major' },
  ELIGIBLE_DAYS: { group: 'rules', label: 'Eligibility window (days)', help: 'how recent a complaint must be' },
  COOLDOWN_DAYS: {
    group: 'rules',
    label: 'Customer cooldown (days)',
    help: 'how long after a call the same customer is not picked again',
  },
  CLAIM_REMINDER_HOURS: {
    group: 'rules',
    label: 'Claim reminder (hours)',
    help: 'when an unclaimed pick or an uncalled claim is nudged',
  },
  FOLLOWUP_DAYS: { group: 'rules', label: 'Follow-up (days)', help: 'when to ask whether the customer is an advocate' },
  RETENTION_DAYS: { group: 'rules', label: 'Retention (days)', help: "how long customers' contact details are kept" },
  ACTION_THEMES: { group: 'rules', label: 'Action themes', help: 'the themes an action may have' },
} as const satisfies Record<string, { group: SettingGroup; label: string; help: string }>;

/** The settings' groups: one modal each in the App Home. */
export type SettingGroup = 'channels' | 'people' | 'schedule' | 'rules';

/** A setting's name: the environment variable it overrides. */
export type SettingName = keyof typeof SETTINGS;

/** Every setting's name, in the order the settings are shown. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** True for the name of a setting that may be changed in Slack. */
export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/** The settings of a group, in order. */
export function settingsOf(group: SettingGroup): SettingName[] {
  return SETTING_NAMES.filter((name) => SETTINGS[name].group === group);
}

/** Where a setting's effective value comes from. */
export type SettingSource =
  | { kind: 'slack'; by: string; at: Date; via: 'slack' | 'cli' }
  | { kind: 'env' }
  | { kind: 'default' };

/** One setting as it stands: its text (undefined when unset everywhere) and where it comes from. */
export interface EffectiveSetting {
  name: SettingName;
  value: string | undefined;
  source: SettingSource;
}

/** What Pickup needs before it posts anything; listed by name until each is set. */
export const ESSENTIALS = ESSENTIAL_SETTINGS;

/** One of the essential settings. */
export type EssentialSetting = (typeof ESSENTIALS)[number];

/** A change to apply: a name to its new text, or null to drop the saved value (back to the environment). */
export type SettingsChange = Partial<Record<SettingName, string | null>>;

/** Who changed settings: a Slack user, or the CLI. */
export type SettingsActor = { via: 'slack'; userId: string } | { via: 'cli'; name: string };
