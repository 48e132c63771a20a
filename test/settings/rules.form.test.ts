import { rulesModalModel } from '../../src/settings/rules';
import { parseRulesForm, RULES_SETTING_BLOCKS } from '../../src/settings/rules.form';
import type { EffectiveSetting } from '../../src/settings/settings';
import type { ViewValues } from '../../src/shared/view-state';

const DEFAULTS: EffectiveSetting[] = [
  { name: 'MAJOR_PRIORITIES', value: 'urgent,high', source: { kind: 'default' } },
  { name: 'MAJOR_TAGS', value: 'exec-callback,vip', source: { kind: 'default' } },
  { name: 'ELIGIBLE_DAYS', value: '30', source: { kind: 'default' } },
  { name: 'COOLDOWN_DAYS', value: '90', source: { kind: 'default' } },
  { name: 'CLAIM_REMINDER_HOURS', value: '4', source: { kind: 'default' } },
  { name: 'FOLLOWUP_DAYS', value: '14', source: { kind: 'default' } },
  { name: 'RETENTION_DAYS', value: '365', source: { kind: 'default' } },
  { name: 'ACTION_THEMES', value: undefined, source: { kind: 'default' } },
];
const model = rulesModalModel(DEFAULTS);

/** The Rules modal's inputs; each defaults to what the default modal shows. */
interface Entered {
  priorities?: string[];
  tags?: string | null;
  eligible?: string | null;
  cooldown?: string | null;
  reminder?: string | null;
  followup?: string | null;
  retention?: string | null;
  themes?: string | null;
}

function values(e: Entered = {}): ViewValues {
  const text = (v: string | null | undefined, fallback: string | null) => ({
    type: 'plain_text_input',
    value: v === undefined ? fallback : v,
  });
  const number = (v: string | null | undefined, fallback: string) => ({
    type: 'number_input',
    value: v === undefined ? fallback : v,
  });
  return {
    major_priorities: {
      value: { type: 'checkboxes', selected_options: (e.priorities ?? ['urgent', 'high']).map((value) => ({ value })) },
    },
    major_tags: { value: text(e.tags, 'exec-callback, vip') },
    eligible_days: { value: number(e.eligible, '30') },
    cooldown_days: { value: number(e.cooldown, '90') },
    claim_reminder_hours: { value: number(e.reminder, '4') },
    followup_days: { value: number(e.followup, '14') },
    retention_days: { value: number(e.retention, '365') },
    action_themes: { value: text(e.themes, null) },
  };
}

describe('parseRulesForm', () => {
  it.each<[string, Entered, Record<string, string | null>]>([
    ['untouched: nothing changes', {}, {}],
    ['priorities in any order', { priorities: ['high', 'urgent'] }, {}],
    ['another priority', { priorities: ['normal', 'urgent', 'high'] }, { MAJOR_PRIORITIES: 'urgent,high,normal' }],
    ['tags', { tags: 'vip, exec-callback, churn-risk,vip' }, { MAJOR_TAGS: 'vip,exec-callback,churn-risk' }],
    ['no tags: back to the environment or default', { tags: '' }, { MAJOR_TAGS: null }],
    ['a new window', { eligible: '45' }, { ELIGIBLE_DAYS: '45' }],
    ['no cooldown', { cooldown: '0' }, { COOLDOWN_DAYS: '0' }],
    ['leading zeros', { reminder: '08' }, { CLAIM_REMINDER_HOURS: '8' }],
    ['several numbers', { followup: '7', retention: '730' }, { FOLLOWUP_DAYS: '7', RETENTION_DAYS: '730' }],
    [
      'themes, lines and commas',
      { themes: 'Billing\nOnboarding, Docs\n\n' },
      { ACTION_THEMES: 'Billing,Onboarding,Docs' },
    ],
  ])('%s', (_name, entered, change) => {
    expect(parseRulesForm(values(entered), model)).toEqual({ ok: true, value: change });
  });

  it.each<[string, Entered, Record<string, string>]>([
    ['no priority', { priorities: [] }, { major_priorities: 'Tick at least one priority.' }],
    [
      'a priority never offered',
      { priorities: ['urgent', 'critical'] },
      { major_priorities: 'Tick priorities from the list.' },
    ],
    ['an empty window', { eligible: null }, { eligible_days: 'Enter a number.' }],
    ['a fraction', { eligible: '1.5' }, { eligible_days: 'Enter a whole number, e.g. 30.' }],
    ['a negative cooldown', { cooldown: '-1' }, { cooldown_days: 'Enter a whole number, e.g. 30.' }],
    ['a zero window', { eligible: '0' }, { eligible_days: 'Enter 1 or more.' }],
    ['zero reminder hours', { reminder: '0' }, { claim_reminder_hours: 'Enter 1 or more.' }],
    ['zero retention', { retention: '0' }, { retention_days: 'Enter 1 or more.' }],
    ['an absurd number', { followup: '99999999999' }, { followup_days: 'Enter a whole number, e.g. 30.' }],
    [
      'a theme twice',
      { themes: 'Billing\nbilling' },
      { action_themes: '"billing" is listed twice; list each theme once.' },
    ],
    [
      'a theme too long',
      { themes: `Billing\n${'x'.repeat(51)}` },
      { action_themes: `"${'x'.repeat(51)}…" is too long: keep each theme to 50 characters.` },
    ],
    [
      'too many themes',
      { themes: Array.from({ length: 101 }, (_, i) => `theme ${i}`).join('\n') },
      { action_themes: 'List at most 100 themes.' },
    ],
  ])('%s is an inline error', (_name, entered, errors) => {
    expect(parseRulesForm(values(entered), model)).toEqual({ ok: false, errors });
  });

  it('clears the themes when emptied, and keeps them when untouched', () => {
    const themed = rulesModalModel(
      DEFAULTS.map((d) => (d.name === 'ACTION_THEMES' ? { ...d, value: 'Billing,Docs' } : d)),
    );
    expect(parseRulesForm(values({ themes: 'Billing\nDocs' }), themed)).toEqual({ ok: true, value: {} });
    expect(parseRulesForm(values({ themes: '' }), themed)).toEqual({ ok: true, value: { ACTION_THEMES: null } });
  });

  it('maps every setting of the modal to its block', () => {
    expect(RULES_SETTING_BLOCKS).toEqual({
      MAJOR_PRIORITIES: 'major_priorities',
      MAJOR_TAGS: 'major_tags',
      ELIGIBLE_DAYS: 'eligible_days',
      COOLDOWN_DAYS: 'cooldown_days',
      CLAIM_REMINDER_HOURS: 'claim_reminder_hours',
      FOLLOWUP_DAYS: 'followup_days',
      RETENTION_DAYS: 'retention_days',
      ACTION_THEMES: 'action_themes',
    });
  });
});
