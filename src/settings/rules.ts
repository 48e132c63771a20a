import { type EffectiveSetting, SETTINGS, type SettingName, type SettingSource } from './settings';

/** Block ids of the Rules modal (callback_id settings_rules). */
export const RulesBlocks = {
  majorPriorities: 'major_priorities',
  majorTags: 'major_tags',
  eligibleDays: 'eligible_days',
  cooldownDays: 'cooldown_days',
  claimReminderHours: 'claim_reminder_hours',
  followupDays: 'followup_days',
  retentionDays: 'retention_days',
  actionThemes: 'action_themes',
} as const;

/** The ticket priorities, in the order the modal lists them (config.ts's MAJOR_PRIORITIES values). */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

/** A whole-number rule: its setting, its block, and the least value config.ts accepts (there is no most). */
export interface NumberRule {
  name: Extract<
    SettingName,
    'ELIGIBLE_DAYS' | 'COOLDOWN_DAYS' | 'CLAIM_REMINDER_HOURS' | 'FOLLOWUP_DAYS' | 'RETENTION_DAYS'
  >;
  blockId: string;
  min: number;
}

/** The whole-number rules, in the modal's order; the minimums are config.ts's (a cooldown may be 0: none). */
export const NUMBER_RULES: readonly NumberRule[] = [
  { name: 'ELIGIBLE_DAYS', blockId: RulesBlocks.eligibleDays, min: 1 },
  { name: 'COOLDOWN_DAYS', blockId: RulesBlocks.cooldownDays, min: 0 },
  { name: 'CLAIM_REMINDER_HOURS', blockId: RulesBlocks.claimReminderHours, min: 1 },
  { name: 'FOLLOWUP_DAYS', blockId: RulesBlocks.followupDays, min: 1 },
  { name: 'RETENTION_DAYS', blockId: RulesBlocks.retentionDays, min: 1 },
];

/** A rule as the modal shows it: its items (or number, as text) and where it comes from. */
export interface RuleField<T> {
  value: T;
  source: SettingSource;
}

/** Everything the Rules modal shows, each with its source. */
export interface RulesModalModel {
  majorPriorities: RuleField<string[]>;
  majorTags: RuleField<string[]>;
  numbers: Record<NumberRule['name'], RuleField<string | undefined>>;
  /** The themes configured; empty means the domain's defaults (actions/action.ts), which the modal names. */
  actionThemes: RuleField<string[]>;
}

/** The items of a comma-separated setting (or one typed one per line), trimmed, without blanks. */
export function listItems(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The Rules modal's model from the effective settings. */
export function rulesModalModel(effective: readonly EffectiveSetting[]): RulesModalModel {
  const setting = (name: SettingName): EffectiveSetting =>
    effective.find((s) => s.name === name) ?? { name, value: undefined, source: { kind: 'default' } };
  const list = (name: SettingName): RuleField<string[]> => {
    const s = setting(name);
    return { value: listItems(s.value), source: s.source };
  };
  const numbers = Object.fromEntries(
    NUMBER_RULES.map((rule) => {
      const s = setting(rule.name);
      return [rule.name, { value: s.value, source: s.source }];
    }),
  ) as RulesModalModel['numbers'];
  return {
    majorPriorities: list('MAJOR_PRIORITIES'),
    majorTags: list('MAJOR_TAGS'),
    numbers,
    actionThemes: list('ACTION_THEMES'),
  };
}

/** A rule's label, as the settings list names it. */
export function ruleLabel(name: SettingName): string {
  return SETTINGS[name].label;
}
