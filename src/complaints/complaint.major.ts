import type { Priority, VendorSource } from './complaint';

// Labels mean the same thing in every vendor that uses them, so one table serves all of them.
const PRIORITY_BY_LABEL: Readonly<Record<string, Priority>> = {
  urgent: 'urgent',
  highest: 'urgent', // Jira
  high: 'high',
  priority: 'high', // Intercom before API 2.x: a conversation is either prioritised or not
  normal: 'normal',
  medium: 'normal', // Freshdesk, Jira, newer Intercom
  not_priority: 'normal',
  none: 'normal',
  low: 'low',
  lowest: 'low', // Jira
};

// Jira ships two priority schemes: Cloud's Highest, High, Medium, Low, Lowest, and the classic Blocker, Critical,
// Major, Minor, Trivial that Server, Data Center and many migrated sites still use. Only Jira means these words so.
const PRIORITY_BY_VENDOR_LABEL: Partial<Record<VendorSource | 'generic', Readonly<Record<string, Priority>>>> = {
  jira: { blocker: 'urgent', critical: 'urgent', major: 'high', minor: 'low', trivial: 'low' },
};

// Numbers are vendor-specific: Freshdesk counts up to urgent, Jira's default scheme counts down from Highest.
const PRIORITY_BY_NUMBER: Partial<Record<VendorSource | 'generic', Readonly<Record<number, Priority>>>> = {
  freshdesk: { 1: 'low', 2: 'normal', 3: 'high', 4: 'urgent' },
  jira: { 1: 'urgent', 2: 'high', 3: 'normal', 4: 'low', 5: 'low' },
};

/** A priority known to the tables, or undefined. */
function knownPriority(raw: unknown, vendor: VendorSource | 'generic'): Priority | undefined {
  if (typeof raw === 'object' && raw !== null) {
    // A renamed priority keeps its id (Jira sites rename "Highest" to "P1"), so an unknown name falls back to it.
    const { name, id } = raw as { name?: unknown; id?: unknown };
    return knownPriority(name, vendor) ?? knownPriority(id, vendor);
  }
  if (typeof raw === 'number') return PRIORITY_BY_NUMBER[vendor]?.[raw];
  if (typeof raw !== 'string') return undefined;
  const label = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (/^\d+$/.test(label)) return knownPriority(Number(label), vendor);
  return PRIORITY_BY_VENDOR_LABEL[vendor]?.[label] ?? PRIORITY_BY_LABEL[label];
}

/**
 * Maps any vendor's priority (label in any casing, number, numeric string, or Jira's `{id, name}` object) onto
 * Pickup's scale. Anything unknown or missing is 'normal': a complaint is never lost over an odd priority.
 */
export function normalizePriority(raw: unknown, vendor: VendorSource | 'generic'): Priority {
  if (vendor === 'helpscout') return 'normal';
  return knownPriority(raw, vendor) ?? 'normal';
}

/** Which complaints count as major; built from MAJOR_PRIORITIES and MAJOR_TAGS. */
export interface MajorRule {
  priorities: readonly string[];
  tags: readonly string[];
}

const canonical = (value: string) => value.trim().toLowerCase();

/** True when the complaint's priority or any of its tags is one the rule names (case and spaces ignored). */
export function isMajor(c: { priority: Priority; tags: readonly string[] }, rule: MajorRule): boolean {
  if (rule.priorities.some((p) => canonical(p) === c.priority)) return true;
  const majorTags = new Set(rule.tags.map(canonical));
  return c.tags.some((t) => majorTags.has(canonical(t)));
}
