import type { Block, Modal } from '../../src/ports/slack.port';
import { rulesModalModel } from '../../src/settings/rules';
import { buildRulesModal } from '../../src/settings/rules.blocks';
import type { EffectiveSetting, SettingSource } from '../../src/settings/settings';
import { viewProblems } from '../helpers/block-kit';
import { INJECTION } from '../helpers/customer-text';

const NOW = new Date('2026-12-21T12:00:00Z');
const BY_ADMIN: SettingSource = { kind: 'slack', by: 'UADMIN001', at: NOW, via: 'slack' };

/** The defaults as effectiveSettings gives them when nothing is set. */
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

function with_(...changes: EffectiveSetting[]): EffectiveSetting[] {
  return DEFAULTS.map((d) => changes.find((c) => c.name === d.name) ?? d);
}

function blockOf(modal: Modal, blockId: string): Block & Record<string, unknown> {
  const block = modal.blocks.find((b) => b.block_id === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block as Block & Record<string, unknown>;
}

function lineAfter(modal: Modal, blockId: string): string {
  const next = modal.blocks[modal.blocks.findIndex((b) => b.block_id === blockId) + 1];
  if (next?.type !== 'context') throw new Error(`no context after ${blockId}`);
  return next.elements.map((e) => ('text' in e ? e.text : '')).join(' ');
}

describe('buildRulesModal', () => {
  it.each<[string, EffectiveSetting[]]>([
    ['the defaults', DEFAULTS],
    [
      'everything set',
      with_(
        { name: 'MAJOR_PRIORITIES', value: 'urgent,high,normal,low', source: BY_ADMIN },
        { name: 'ACTION_THEMES', value: 'Billing,Onboarding,Docs', source: { kind: 'env' } },
      ),
    ],
    [
      'the longest lists',
      with_(
        {
          name: 'ACTION_THEMES',
          value: Array.from({ length: 100 }, (_, i) => `${'t'.repeat(47)}${i}`).join(','),
          source: BY_ADMIN,
        },
        { name: 'MAJOR_TAGS', value: Array.from({ length: 300 }, (_, i) => `tag-${i}`).join(','), source: BY_ADMIN },
      ),
    ],
    ['nothing known', []],
  ])('%s: Slack would take it', (_name, effective) => {
    const modal = buildRulesModal(rulesModalModel(effective));
    expect(viewProblems(modal)).toEqual([]);
    expect(modal.callback_id).toBe('settings_rules');
  });

  it('shows each value in its input, with its source', () => {
    const modal = buildRulesModal(
      rulesModalModel(
        with_(
          { name: 'MAJOR_PRIORITIES', value: 'high,urgent', source: BY_ADMIN },
          { name: 'COOLDOWN_DAYS', value: '0', source: { kind: 'env' } },
        ),
      ),
    );
    const priorities = blockOf(modal, 'major_priorities');
    expect(
      (priorities.element as { initial_options: { value: string }[] }).initial_options.map((o) => o.value),
    ).toEqual(['urgent', 'high']);
    expect(lineAfter(modal, 'major_priorities')).toBe('Now: high, urgent · set in Slack by <@UADMIN001> on 2026-12-21');
    expect(blockOf(modal, 'major_tags')).toMatchObject({ element: { initial_value: 'exec-callback, vip' } });
    expect(blockOf(modal, 'cooldown_days')).toMatchObject({
      element: { type: 'number_input', is_decimal_allowed: false, min_value: '0', initial_value: '0' },
    });
    expect(lineAfter(modal, 'cooldown_days')).toBe('Now: 0 · from the environment');
    for (const id of ['eligible_days', 'claim_reminder_hours', 'followup_days', 'retention_days']) {
      expect(blockOf(modal, id)).toMatchObject({ optional: false, element: { type: 'number_input', min_value: '1' } });
    }
  });

  it('names the default themes when none are configured, and lists configured ones one per line', () => {
    const defaults = buildRulesModal(rulesModalModel(DEFAULTS));
    expect(blockOf(defaults, 'action_themes').element).not.toHaveProperty('initial_value');
    expect(lineAfter(defaults, 'action_themes')).toContain('the defaults (product, billing');
    const set = buildRulesModal(
      rulesModalModel(with_({ name: 'ACTION_THEMES', value: 'Billing,Onboarding', source: BY_ADMIN })),
    );
    expect(blockOf(set, 'action_themes')).toMatchObject({
      element: { multiline: true, initial_value: 'Billing\nOnboarding' },
    });
  });

  it('escapes what an operator typed', () => {
    const modal = buildRulesModal(
      rulesModalModel(with_({ name: 'MAJOR_TAGS', value: `vip,${INJECTION.replace(/,/g, ' ')}`, source: BY_ADMIN })),
    );
    expect(lineAfter(modal, 'major_tags')).not.toContain('<!channel>');
    expect(lineAfter(modal, 'major_tags')).toContain('&lt;!channel&gt;');
  });
});
