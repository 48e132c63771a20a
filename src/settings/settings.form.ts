import { z } from 'zod';
import type { FormErrors, FormResult } from '../shared/view-state';
import { type EffectiveSetting, isSettingName, type SettingName, type SettingsChange } from './settings';
import {
  byName,
  CHANNEL_SETTINGS,
  type ChannelSetting,
  entriesOf,
  GROUP_BLOCKS,
  PEOPLE_SETTINGS,
  type PeopleSetting,
} from './settings.modals';

/** What the Channels modal chose: a channel ID for each, or undefined for the optional one left empty. */
export type ChannelsForm = Record<Exclude<ChannelSetting, 'SUPPORT_CHANNEL'>, string> & {
  SUPPORT_CHANNEL: string | undefined;
};

/** What the People modal chose: each list as its setting's text, users then groups ("U1,U2,S1"). */
export type PeopleForm = Record<PeopleSetting, string>;

const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/);
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/);
const groupId = z.string().regex(/^S[A-Z0-9]{2,}$/);

/** A conversations_select's state; `null` when nothing is chosen. */
const conversationState = z.object({ selected_conversation: z.string().nullish() });
/** A multi_users_select's state. */
const usersState = z.object({ selected_users: z.array(z.string()).nullish() });
/** A multi_external_select's state. */
const optionsState = z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() });

/** The single element's state of a block in `view.state.values`, whatever its action_id; undefined when absent. */
function stateOf(values: unknown, blockId: string): unknown {
  const block = z.record(z.string(), z.record(z.string(), z.unknown())).safeParse(values);
  if (!block.success) return undefined;
  const elements = block.data[blockId];
  return elements ? Object.values(elements)[0] : undefined;
}

/** The channel chosen in a block, '' for none, or undefined when what came is not a channel's ID. */
function chosenChannel(values: unknown, blockId: string): string | undefined {
  const parsed = conversationState.safeParse(stateOf(values, blockId) ?? {});
  const chosen = parsed.success ? (parsed.data.selected_conversation ?? '') : undefined;
  if (chosen === undefined || chosen === '') return chosen;
  return channelId.safeParse(chosen).success ? chosen : undefined;
}

const CHANNEL_REQUIRED: Record<ChannelSetting, string | undefined> = {
  EXEC_CHANNEL: "Choose the executives' channel: the daily pick is posted there.",
  LEADERSHIP_CHANNEL: 'Choose the leadership channel: the weekly digest is posted there.',
  SUPPORT_CHANNEL: undefined,
};

/**
 * The Channels modal's choices, or an inline error per field: the executives' and leadership channels are needed,
 * the support channel is optional, and each must be a channel (not a DM or a person).
 */
export function parseChannelsForm(values: unknown): FormResult<ChannelsForm> {
  const errors: FormErrors = {};
  const chosen: Partial<Record<ChannelSetting, string>> = {};
  for (const name of CHANNEL_SETTINGS) {
    const channel = chosenChannel(values, name);
    const required = CHANNEL_REQUIRED[name];
    if (channel === undefined) errors[name] = 'Choose a channel (a DM or a person cannot be used here).';
    else if (channel === '' && required) errors[name] = required;
    else if (channel !== '') chosen[name] = channel;
  }
  const { EXEC_CHANNEL, LEADERSHIP_CHANNEL, SUPPORT_CHANNEL } = chosen;
  if (Object.keys(errors).length > 0 || !EXEC_CHANNEL || !LEADERSHIP_CHANNEL) return { ok: false, errors };
  return { ok: true, value: { EXEC_CHANNEL, LEADERSHIP_CHANNEL, SUPPORT_CHANNEL } };
}

const PEOPLE_REQUIRED: Record<PeopleSetting, string> = {
  EXECUTIVES: 'Choose at least one executive, or a user group of them: someone has to make the calls.',
  SUPPORT_LEADS: 'Choose at least one support lead, or a user group of them: someone has to escalate complaints.',
};

/** The people and groups chosen for one setting, users first; undefined when one is not a user's or group's ID. */
function chosenPeople(values: unknown, name: PeopleSetting): string[] | undefined {
  const users = usersState.safeParse(stateOf(values, name) ?? {});
  const groups = optionsState.safeParse(stateOf(values, GROUP_BLOCKS[name]) ?? {});
  if (!users.success || !groups.success) return undefined;
  const userIds = users.data.selected_users ?? [];
  const groupIds = (groups.data.selected_options ?? []).map((o) => o.value);
  if (!userIds.every((u) => userId.safeParse(u).success)) return undefined;
  if (!groupIds.every((g) => groupId.safeParse(g).success)) return undefined;
  return [...new Set([...userIds, ...groupIds])];
}

/**
 * The People modal's choices as the settings' texts ("U1,U2,S1"), or an inline error under the people field of
 * each list left empty: Pickup needs at least one executive and one support lead.
 */
export function parsePeopleForm(values: unknown): FormResult<PeopleForm> {
  const errors: FormErrors = {};
  const chosen: Partial<PeopleForm> = {};
  for (const name of PEOPLE_SETTINGS) {
    const entries = chosenPeople(values, name);
    if (entries === undefined) errors[name] = 'Choose people and user groups from the lists.';
    else if (entries.length === 0) errors[name] = PEOPLE_REQUIRED[name];
    else chosen[name] = entries.join(',');
  }
  const { EXECUTIVES, SUPPORT_LEADS } = chosen;
  if (Object.keys(errors).length > 0 || !EXECUTIVES || !SUPPORT_LEADS) return { ok: false, errors };
  return { ok: true, value: { EXECUTIVES, SUPPORT_LEADS } };
}

/** True when two texts name the same setting value; lists of people compare as sets, so reordering is no change. */
function sameValue(name: SettingName, a: string | undefined, b: string | undefined): boolean {
  if ((PEOPLE_SETTINGS as readonly string[]).includes(name)) {
    const x = new Set(entriesOf(a));
    const y = new Set(entriesOf(b));
    return x.size === y.size && [...x].every((e) => y.has(e));
  }
  return (a ?? '') === (b ?? '');
}

/**
 * The change a form makes: only the settings whose value differs from the one that applies now, so saving a
 * modal unchanged records nothing, and a value still coming from the environment stays sourced there. An optional
 * setting emptied becomes null: its saved value is dropped (the environment's, if any, then applies).
 */
export function changeFrom(
  form: Partial<Record<SettingName, string | undefined>>,
  effective: readonly EffectiveSetting[],
): SettingsChange {
  const current = byName(effective);
  const change: SettingsChange = {};
  for (const name of Object.keys(form).filter(isSettingName)) {
    const value = form[name];
    if (sameValue(name, value, current.get(name)?.value)) continue;
    change[name] = value ? value : null;
  }
  return change;
}
