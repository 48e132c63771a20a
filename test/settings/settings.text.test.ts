import type { EffectiveSetting } from '../../src/settings/settings';
import {
  describeSettingValue,
  describeSource,
  describeValue,
  formatSettingTime,
  missingForSetup,
} from '../../src/settings/settings.text';

const AT = new Date('2026-12-07T14:02:59.999Z');

describe('settings as the CLI and the demo print them', () => {
  it('says where a value comes from: who saved it and when, the environment, or the default', () => {
    expect(describeSource({ kind: 'slack', by: 'U123', at: AT, via: 'slack' })).toBe(
      'slack: set by <@U123> on 2026-12-07 14:02 UTC',
    );
    expect(describeSource({ kind: 'slack', by: 'alice', at: AT, via: 'cli' })).toBe(
      'slack: set by the CLI (alice) on 2026-12-07 14:02 UTC',
    );
    expect(describeSource({ kind: 'slack', by: 'unknown', at: new Date(0), via: 'slack' })).toBe('slack');
    expect(describeSource({ kind: 'env' })).toBe('env');
    expect(describeSource({ kind: 'default' })).toBe('default');
    expect(formatSettingTime(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01 00:00 UTC');
  });

  it('shows an unset value as such, and the built-in action themes as the default they are', () => {
    expect(describeValue(undefined)).toBe('(unset)');
    expect(describeValue(null)).toBe('(unset)');
    expect(describeValue('')).toBe('(unset)');
    expect(describeValue('U1,U2')).toBe('U1,U2');
    const themes: EffectiveSetting = { name: 'ACTION_THEMES', value: '', source: { kind: 'default' } };
    expect(describeSettingValue(themes)).toMatch(/^product,billing,/);
    const holidays: EffectiveSetting = { name: 'HOLIDAYS', value: '', source: { kind: 'default' } };
    expect(describeSettingValue(holidays)).toBe('(unset)');
  });

  it('lists the essentials still unset, in their order, whatever the source', () => {
    const settings: EffectiveSetting[] = [
      { name: 'SUPPORT_LEADS', value: undefined, source: { kind: 'default' } },
      { name: 'EXEC_CHANNEL', value: 'C1', source: { kind: 'env' } },
      { name: 'EXECUTIVES', value: 'U1', source: { kind: 'slack', by: 'U9', at: AT, via: 'slack' } },
      { name: 'LEADERSHIP_CHANNEL', value: undefined, source: { kind: 'default' } },
      { name: 'HOLIDAY_COUNTRY', value: undefined, source: { kind: 'default' } },
    ];
    expect(missingForSetup(settings)).toEqual(['LEADERSHIP_CHANNEL', 'SUPPORT_LEADS']);
  });
});
