import { type EffectiveSetting, SETTING_NAMES, type SettingName } from '../../src/settings/settings';
import { changeFrom, parseChannelsForm, parsePeopleForm } from '../../src/settings/settings.form';
import { GROUP_ACTION_IDS } from '../../src/settings/settings.modals';
import { INPUT_ACTION_ID } from '../../src/shared/ids';

/** `view.state.values` as Slack sends the Channels modal's: a conversations_select per block. */
function channels(chosen: Partial<Record<string, string | null>>): unknown {
  return Object.fromEntries(
    Object.entries(chosen).map(([block, id]) => [
      block,
      { [INPUT_ACTION_ID]: { type: 'conversations_select', selected_conversation: id } },
    ]),
  );
}

/** `view.state.values` as Slack sends the People modal's: users and groups for each list. */
function people(lists: {
  executives?: string[];
  executiveGroups?: string[];
  leads?: string[];
  leadGroups?: string[];
}): unknown {
  const users = (ids: string[] = []) => ({ [INPUT_ACTION_ID]: { type: 'multi_users_select', selected_users: ids } });
  const groups = (actionId: string, ids: string[] = []) => ({
    [actionId]: {
      type: 'multi_external_select',
      selected_options: ids.map((id) => ({ text: { type: 'plain_text', text: id }, value: id })),
    },
  });
  return {
    EXECUTIVES: users(lists.executives),
    EXECUTIVES_GROUPS: groups(GROUP_ACTION_IDS.EXECUTIVES, lists.executiveGroups),
    SUPPORT_LEADS: users(lists.leads),
    SUPPORT_LEADS_GROUPS: groups(GROUP_ACTION_IDS.SUPPORT_LEADS, lists.leadGroups),
  };
}

describe('parseChannelsForm', () => {
  it('takes the executives’ and leadership channels, and the support channel when chosen', () => {
    expect(
      parseChannelsForm(channels({ EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'G2CD', SUPPORT_CHANNEL: 'C3EF' })),
    ).toEqual({
      ok: true,
      value: { EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'G2CD', SUPPORT_CHANNEL: 'C3EF' },
    });
    expect(
      parseChannelsForm(channels({ EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'C1AB', SUPPORT_CHANNEL: null })),
    ).toEqual({
      ok: true,
      value: { EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'C1AB', SUPPORT_CHANNEL: undefined },
    });
  });

  it.each([
    ['no executives’ channel', { LEADERSHIP_CHANNEL: 'C2AB' }, 'EXEC_CHANNEL', "Choose the executives' channel"],
    [
      'no leadership channel',
      { EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: null },
      'LEADERSHIP_CHANNEL',
      'Choose the leadership channel',
    ],
    ['a DM', { EXEC_CHANNEL: 'D1AB', LEADERSHIP_CHANNEL: 'C2AB' }, 'EXEC_CHANNEL', 'a DM or a person cannot be used'],
    [
      'a person',
      { EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'C2AB', SUPPORT_CHANNEL: 'U1AB' },
      'SUPPORT_CHANNEL',
      'Choose a channel',
    ],
  ])('refuses %s inline, under its field', (_case, chosen, block, message) => {
    const result = parseChannelsForm(channels(chosen));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual([block]);
    expect(result.errors[block]).toContain(message);
  });

  it('refuses what is not a view state at all', () => {
    expect(parseChannelsForm('nonsense').ok).toBe(false);
    expect(parseChannelsForm({ EXEC_CHANNEL: { value: { selected_conversation: 42 } } }).ok).toBe(false);
  });
});

describe('parsePeopleForm', () => {
  it('joins people and user groups into each setting’s text, people first, without repeats', () => {
    expect(
      parsePeopleForm(
        people({ executives: ['U1AB', 'W2CD', 'U1AB'], executiveGroups: ['SEXEC1'], leadGroups: ['SLEAD1'] }),
      ),
    ).toEqual({ ok: true, value: { EXECUTIVES: 'U1AB,W2CD,SEXEC1', SUPPORT_LEADS: 'SLEAD1' } });
  });

  it('asks for at least one executive and one support lead, under each people field', () => {
    const result = parsePeopleForm(people({}));
    expect(result).toEqual({
      ok: false,
      errors: {
        EXECUTIVES: expect.stringContaining('Choose at least one executive'),
        SUPPORT_LEADS: expect.stringContaining('Choose at least one support lead'),
      },
    });
    const noLeads = parsePeopleForm(people({ executives: ['U1AB'] }));
    expect(noLeads.ok).toBe(false);
    if (!noLeads.ok) expect(Object.keys(noLeads.errors)).toEqual(['SUPPORT_LEADS']);
  });

  it('refuses IDs that are not a user’s or a group’s', () => {
    const result = parsePeopleForm(people({ executives: ['C1AB'], leads: ['U1AB'], leadGroups: ['U2AB'] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['EXECUTIVES', 'SUPPORT_LEADS']);
  });

  it('takes a block Slack left out (nothing chosen) as empty', () => {
    const result = parsePeopleForm({ EXECUTIVES: { [INPUT_ACTION_ID]: { selected_users: ['U1AB'] } } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(['SUPPORT_LEADS']);
  });
});

describe('changeFrom', () => {
  function effective(values: Partial<Record<SettingName, string>>): EffectiveSetting[] {
    return SETTING_NAMES.map((name) => ({ name, value: values[name], source: { kind: 'env' } }));
  }
  const now = effective({
    EXEC_CHANNEL: 'C1AB',
    LEADERSHIP_CHANNEL: 'C2AB',
    SUPPORT_CHANNEL: 'C3AB',
    EXECUTIVES: 'U1AB,SEXEC1',
    SUPPORT_LEADS: 'U9AB',
  });

  it('holds only what differs from the values that apply now', () => {
    expect(changeFrom({ EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'C4AB', SUPPORT_CHANNEL: 'C3AB' }, now)).toEqual({
      LEADERSHIP_CHANNEL: 'C4AB',
    });
    expect(changeFrom({ EXEC_CHANNEL: 'C1AB', LEADERSHIP_CHANNEL: 'C2AB', SUPPORT_CHANNEL: 'C3AB' }, now)).toEqual({});
  });

  it('compares lists of people as sets, so reordering them changes nothing', () => {
    expect(changeFrom({ EXECUTIVES: 'SEXEC1,U1AB', SUPPORT_LEADS: 'U9AB' }, now)).toEqual({});
    expect(changeFrom({ EXECUTIVES: 'U1AB', SUPPORT_LEADS: 'U9AB,U8AB' }, now)).toEqual({
      EXECUTIVES: 'U1AB',
      SUPPORT_LEADS: 'U9AB,U8AB',
    });
  });

  it('drops the saved value of an optional setting emptied', () => {
    expect(changeFrom({ SUPPORT_CHANNEL: undefined }, now)).toEqual({ SUPPORT_CHANNEL: null });
    expect(changeFrom({ SUPPORT_CHANNEL: undefined }, effective({}))).toEqual({});
  });
});
