import type { Modal } from '../../src/ports/slack.port';
import { type EffectiveSetting, SETTING_NAMES, type SettingName } from '../../src/settings/settings';
import {
  buildChannelsModal,
  buildPeopleModal,
  buildSettingsMenu,
  describeMissing,
  formatSettingValue,
  groupOption,
} from '../../src/settings/settings.blocks';
import { GROUP_ACTION_IDS, matchingGroups, settingsModalMetadata } from '../../src/settings/settings.modals';
import { ActionIds, INPUT_ACTION_ID, SettingsCallbackIds, SettingsOptionIds } from '../../src/shared/ids';
import { viewProblems } from '../helpers/block-kit';
import { INJECTION, liveInjections } from '../helpers/customer-text';

const AT = new Date('2026-11-20T10:00:00Z');
const BY_ADMIN = { kind: 'slack', by: 'UADMIN001', at: AT, via: 'slack' } as const;
const ENV = { kind: 'env' } as const;

/** Every setting as it might apply, with `overrides` by name. */
function effective(overrides: Partial<Record<SettingName, Partial<EffectiveSetting>>> = {}): EffectiveSetting[] {
  const values: Partial<Record<SettingName, string>> = {
    EXEC_CHANNEL: 'CEXECS001',
    LEADERSHIP_CHANNEL: 'GLEADS001',
    EXECUTIVES: 'UEXEC0001,UEXEC0002,SEXECS001',
    SUPPORT_LEADS: 'ULEAD0001',
    TIMEZONE: 'UTC',
    PICK_SCHEDULE: '0 10 * * 1-5',
  };
  return SETTING_NAMES.map((name) => ({
    name,
    value: values[name],
    source: name === 'EXEC_CHANNEL' ? BY_ADMIN : ENV,
    ...overrides[name],
  }));
}

/** Every interactive element of a view with its block: inputs' elements, accessories and actions' elements. */
function elementsOf(view: Modal): { blockId: string | undefined; type: string; action_id?: string | undefined }[] {
  const found: { blockId: string | undefined; type: string; action_id?: string | undefined }[] = [];
  for (const b of view.blocks) {
    const elements: { type: string; action_id?: string | undefined }[] =
      b.type === 'input'
        ? [b.element]
        : b.type === 'actions'
          ? b.elements
          : b.type === 'section' && b.accessory
            ? [b.accessory]
            : [];
    for (const e of elements) found.push({ blockId: b.block_id, type: e.type, action_id: e.action_id });
  }
  return found;
}

/**
 * Slack wants action_ids unique within a block. Pickup's own rule is stricter: apart from the inputs' shared
 * INPUT_ACTION_ID (read by block_id), no two elements of one view share an action_id, so a click or an options
 * request names exactly one element.
 */
function duplicateActionIds(view: Modal): string[] {
  const ids = elementsOf(view)
    .map((e) => e.action_id)
    .filter((id): id is string => id !== undefined && id !== INPUT_ACTION_ID);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

function inputOf(view: Modal, blockId: string) {
  const block = view.blocks.find((b) => b.block_id === blockId);
  if (block?.type !== 'input') throw new Error(`no input ${blockId}`);
  return block;
}

/** The context line under an input: its current value and source. */
function contextAfter(view: Modal, blockId: string): string {
  const i = view.blocks.findIndex((b) => b.block_id === blockId);
  const next = view.blocks[i + 1];
  return next?.type === 'context' ? JSON.stringify(next.elements) : '';
}

describe('formatSettingValue', () => {
  it.each([
    ['a channel as a link', 'EXEC_CHANNEL', 'CEXECS001', '<#CEXECS001>'],
    ['people and groups as mentions', 'EXECUTIVES', 'U1AB,SGRP1', '<@U1AB>, <!subteam^SGRP1>'],
    ['a simple schedule in words', 'PICK_SCHEDULE', '0 10 * * 1-5', 'Mon–Fri at 10:00'],
    ['another cron as code, so its stars stay stars', 'DIGEST_SCHEDULE', '0 9 1 * *', '`0 9 1 * *`'],
    ['text escaped, backticks defused', 'ACTION_THEMES', 'a `b` <!channel>', "`a 'b' &lt;!channel&gt;`"],
    ['nothing', 'SUPPORT_CHANNEL', undefined, '_not set_'],
  ] as const)('%s', (_case, name, value, expected) => {
    expect(formatSettingValue(name, value)).toBe(expected);
  });

  it('cuts a long value', () => {
    expect(formatSettingValue('ACTION_THEMES', 'x'.repeat(5000)).length).toBeLessThan(210);
  });
});

describe('describeMissing', () => {
  it('names the essentials in words', () => {
    expect(describeMissing(['EXEC_CHANNEL'])).toBe("the executives' channel");
    expect(describeMissing(['EXEC_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS'])).toBe(
      "the executives' channel, the executives and the support leads",
    );
    expect(describeMissing([])).toBe('');
  });
});

describe('buildSettingsMenu', () => {
  it('lists every group with its values and sources, and a button to each group’s modal', () => {
    const menu = buildSettingsMenu(effective());
    expect(viewProblems(menu)).toEqual([]);
    expect(duplicateActionIds(menu)).toEqual([]);
    expect(menu.callback_id).toBe(SettingsCallbackIds.menu);
    expect(menu.submit).toBeUndefined();
    const buttons = elementsOf(menu).map((e) => e.action_id);
    expect(buttons).toEqual([
      ActionIds.editChannels,
      ActionIds.editPeople,
      ActionIds.editSchedule,
      ActionIds.editRules,
    ]);
    const text = JSON.stringify(menu.blocks);
    expect(text).toContain("*Executives' channel*: <#CEXECS001> · set in Slack by <@UADMIN001> on 2026-11-20");
    expect(text).toContain('*Executives*: <@UEXEC0001>, <@UEXEC0002>, <!subteam^SEXECS001> · from the environment');
    expect(text).toContain('*Support channel*: _not set_');
    for (const title of ['*Channels*', '*People*', '*Schedule*', '*Rules*']) expect(text).toContain(title);
  });

  it('stays within Slack’s limits with hostile, huge values', () => {
    const huge = `${INJECTION} ${'<&> '.repeat(3000)}`;
    const menu = buildSettingsMenu(
      effective(
        Object.fromEntries(
          SETTING_NAMES.map((n) => [n, { value: huge, source: { ...BY_ADMIN, by: huge, via: 'cli' } }]),
        ),
      ),
    );
    expect(viewProblems(menu)).toEqual([]);
    expect(liveInjections(menu)).toEqual([]);
  });
});

describe('buildChannelsModal', () => {
  it('offers a channel picker per channel, at its current value, with its source under it', () => {
    const modal = buildChannelsModal(effective(), 'edit');
    expect(viewProblems(modal)).toEqual([]);
    expect(duplicateActionIds(modal)).toEqual([]);
    expect(modal.callback_id).toBe(SettingsCallbackIds.channels);
    expect(settingsModalMetadata.parse(JSON.parse(modal.private_metadata ?? ''))).toEqual({ mode: 'edit' });
    expect(modal.submit?.text).toBe('Save');

    const exec = inputOf(modal, 'EXEC_CHANNEL');
    expect(exec.optional).toBe(false);
    expect(exec.element).toMatchObject({
      type: 'conversations_select',
      action_id: INPUT_ACTION_ID,
      initial_conversation: 'CEXECS001',
      filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
    });
    expect(inputOf(modal, 'LEADERSHIP_CHANNEL').element).toMatchObject({ initial_conversation: 'GLEADS001' });
    const support = inputOf(modal, 'SUPPORT_CHANNEL');
    expect(support.optional).toBe(true);
    expect(support.element).not.toHaveProperty('initial_conversation');

    expect(contextAfter(modal, 'EXEC_CHANNEL')).toContain(
      'Now: <#CEXECS001> · set in Slack by <@UADMIN001> on 2026-11-20',
    );
    expect(contextAfter(modal, 'LEADERSHIP_CHANNEL')).toContain('from the environment');
    expect(contextAfter(modal, 'SUPPORT_CHANNEL')).toContain('Now: _not set_');
    expect(JSON.stringify(modal.blocks)).toContain('/invite @Pickup');
  });

  it('in setup mode, is step 1 of 3 and moves on rather than saving and closing', () => {
    const modal = buildChannelsModal(
      effective({ EXEC_CHANNEL: { value: undefined, source: { kind: 'default' } } }),
      'setup',
    );
    expect(viewProblems(modal)).toEqual([]);
    expect(modal.title.text).toBe('Set up Pickup (1/3)');
    expect(modal.submit?.text).toBe('Next');
    expect(settingsModalMetadata.parse(JSON.parse(modal.private_metadata ?? ''))).toEqual({ mode: 'setup' });
    expect(inputOf(modal, 'EXEC_CHANNEL').element).not.toHaveProperty('initial_conversation');
  });
});

describe('buildPeopleModal', () => {
  const groups = [{ id: 'SEXECS001', name: 'Executive team', handle: 'execs' }];

  it('offers people and user groups for executives and support leads, at their current values', () => {
    const modal = buildPeopleModal(effective(), groups, 'edit');
    expect(viewProblems(modal)).toEqual([]);
    expect(duplicateActionIds(modal)).toEqual([]);
    expect(modal.callback_id).toBe(SettingsCallbackIds.people);

    const executives = inputOf(modal, 'EXECUTIVES');
    // Optional for Slack, so a group alone will do; the form requires one of the two.
    expect(executives.optional).toBe(true);
    expect(executives.element).toMatchObject({ type: 'multi_users_select', initial_users: ['UEXEC0001', 'UEXEC0002'] });
    const execGroups = inputOf(modal, 'EXECUTIVES_GROUPS');
    expect(execGroups.element).toMatchObject({
      type: 'multi_external_select',
      action_id: GROUP_ACTION_IDS.EXECUTIVES,
      initial_options: [{ text: { type: 'plain_text', text: 'Executive team (@execs)' }, value: 'SEXECS001' }],
    });
    expect(inputOf(modal, 'SUPPORT_LEADS').element).toMatchObject({ initial_users: ['ULEAD0001'] });
    expect(inputOf(modal, 'SUPPORT_LEADS_GROUPS').element).not.toHaveProperty('initial_options');
    expect(contextAfter(modal, 'EXECUTIVES_GROUPS')).toContain(
      'Now: <@UEXEC0001>, <@UEXEC0002>, <!subteam^SEXECS001> · from the environment',
    );
  });

  it('gives each group picker its own action_id, both answered by the user groups’ options listener', () => {
    for (const id of Object.values(GROUP_ACTION_IDS)) expect(id.startsWith(SettingsOptionIds.userGroups)).toBe(true);
    expect(new Set(Object.values(GROUP_ACTION_IDS)).size).toBe(2);
  });

  it('shows a chosen group Slack could not name by its ID', () => {
    const modal = buildPeopleModal(effective(), [], 'setup');
    expect(viewProblems(modal)).toEqual([]);
    expect(modal.title.text).toBe('Set up Pickup (2/3)');
    expect(inputOf(modal, 'EXECUTIVES_GROUPS').element).toMatchObject({
      initial_options: [{ text: { text: 'SEXECS001' }, value: 'SEXECS001' }],
    });
  });

  it('starts empty when nobody is set yet', () => {
    const none = { value: undefined, source: { kind: 'default' } } as const;
    const modal = buildPeopleModal(effective({ EXECUTIVES: none, SUPPORT_LEADS: none }), [], 'setup');
    expect(viewProblems(modal)).toEqual([]);
    expect(inputOf(modal, 'EXECUTIVES').element).not.toHaveProperty('initial_users');
    expect(inputOf(modal, 'EXECUTIVES_GROUPS').element).not.toHaveProperty('initial_options');
  });
});

describe('user group options', () => {
  const many = Array.from({ length: 250 }, (_, i) => ({ id: `SG${i}`, name: `Team ${i}`, handle: `team-${i}` }));

  it('match the typed text in the name or the handle, at most 100', () => {
    expect(matchingGroups(many, '')).toHaveLength(100);
    expect(matchingGroups(many, 'team 12').map((g) => g.id)).toEqual([
      'SG12',
      'SG120',
      'SG121',
      'SG122',
      'SG123',
      'SG124',
      'SG125',
      'SG126',
      'SG127',
      'SG128',
      'SG129',
    ]);
    expect(matchingGroups(many, '@TEAM-249').map((g) => g.id)).toEqual(['SG249']);
  });

  it('are labelled by name and handle within Slack’s option limits', () => {
    expect(groupOption({ id: 'S1', name: 'Execs', handle: 'execs' })).toEqual({
      text: { type: 'plain_text', text: 'Execs (@execs)' },
      value: 'S1',
    });
    expect(groupOption({ id: 'S1', name: 'x'.repeat(200), handle: 'h' }).text.text.length).toBeLessThanOrEqual(75);
  });
});
