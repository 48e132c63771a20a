import type { ContextBlock, InputBlock, PlainTextOption, SectionBlock } from '@slack/types';
import type { Block, Modal, UserGroup } from '../ports/slack.port';
import { button, context, divider, inputBlock, option, plainText, section } from '../shared/blocks';
import { ActionIds, SettingsCallbackIds } from '../shared/ids';
import { escapeAndTruncate, escapeMrkdwn, mention, oneLine } from '../shared/mrkdwn';
import { describeSchedule } from './schedule';
import { sourceLabel } from './setting-fields';
import {
  type EffectiveSetting,
  type EssentialSetting,
  SETTINGS,
  type SettingGroup,
  type SettingName,
  settingsOf,
} from './settings';
import {
  byName,
  CHANNEL_SETTINGS,
  type ChannelSetting,
  type EffectiveByName,
  entriesOf,
  GROUP_ACTION_IDS,
  GROUP_BLOCKS,
  isGroupId,
  PEOPLE_SETTINGS,
  type PeopleSetting,
  type SettingsModalMetadata,
  type SettingsMode,
} from './settings.modals';

/** How much of a long value (a list of themes, say) a summary line shows. */
const VALUE_MAX = 200;

/** A people entry as Slack shows it: a user's or a user group's mention; anything else escaped. */
function entryMention(entry: string): string {
  if (/^[UW][A-Z0-9]{2,}$/.test(entry)) return mention(entry);
  if (/^S[A-Z0-9]{2,}$/.test(entry)) return `<!subteam^${entry}>`;
  return escapeMrkdwn(entry);
}

/**
 * A setting's value as mrkdwn: channels and people as Slack mentions, a simple schedule in words, anything else as
 * escaped code (a cron expression's `*` would otherwise turn bold), cut to fit a summary line; "not set" when unset.
 */
export function formatSettingValue(name: SettingName, value: string | undefined): string {
  if (!value) return '_not set_';
  const group = SETTINGS[name].group;
  if (group === 'channels' && /^[CG][A-Z0-9]{2,}$/.test(value)) return `<#${value}>`;
  if (group === 'people') return entriesOf(value).map(entryMention).join(', ');
  // A simple schedule reads as days and a time ("Mon–Fri at 10:00"); any other cron stays code.
  if (name === 'PICK_SCHEDULE' || name === 'DIGEST_SCHEDULE') {
    const described = describeSchedule(value);
    if (!described.startsWith('custom: ')) return escapeMrkdwn(described);
  }
  return `\`${escapeAndTruncate(oneLine(value).replace(/`/g, "'"), VALUE_MAX)}\``;
}

/** "Executives' channel: #exec · set in Slack by @Ann on 2026-12-01": one setting, its value and its source. */
export function settingLine(setting: EffectiveSetting): string {
  const { label } = SETTINGS[setting.name];
  return `*${label}*: ${formatSettingValue(setting.name, setting.value)} · ${sourceLabel(setting.source)}`;
}

/** A field's context line in a modal: its current value and where that comes from. */
function currentLine(setting: EffectiveSetting | undefined): ContextBlock {
  if (!setting) return context('Now: _not set_');
  return context(`Now: ${formatSettingValue(setting.name, setting.value)} · ${sourceLabel(setting.source)}`);
}

/** Each essential setting in words, for "Pickup still needs …". */
const MISSING_WORDS: Record<EssentialSetting, string> = {
  EXEC_CHANNEL: "the executives' channel",
  LEADERSHIP_CHANNEL: 'the leadership channel',
  EXECUTIVES: 'the executives',
  SUPPORT_LEADS: 'the support leads',
};

/** The missing essentials in words: "the executives' channel, the executives and the support leads". */
export function describeMissing(missing: readonly EssentialSetting[]): string {
  const words = missing.map((name) => MISSING_WORDS[name]);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The settings menu's groups: their titles and the button that edits each. */
const GROUPS: readonly { group: SettingGroup; title: string; actionId: string }[] = [
  { group: 'channels', title: 'Channels', actionId: ActionIds.editChannels },
  { group: 'people', title: 'People', actionId: ActionIds.editPeople },
  { group: 'schedule', title: 'Schedule', actionId: ActionIds.editSchedule },
  { group: 'rules', title: 'Rules', actionId: ActionIds.editRules },
];

/** One group's summary: each setting's value and source, one line each. */
export function groupSummary(settings: EffectiveByName, group: SettingGroup): string {
  return settingsOf(group)
    .map((name) => settings.get(name))
    .filter((s): s is EffectiveSetting => s !== undefined)
    .map((s) => `• ${settingLine(s)}`)
    .join('\n');
}

/**
 * The settings menu (`settings_menu`): one section per group (channels, people, schedule, rules) listing each
 * setting's value and source, with a button that opens that group's modal on top.
 */
export function buildSettingsMenu(effective: readonly EffectiveSetting[]): Modal {
  const settings = byName(effective);
  const blocks: Block[] = [
    context(
      'Changes apply at once, for everyone, without a restart. A setting saved here wins over the environment; every change is recorded with who made it.',
    ),
  ];
  for (const { group, title, actionId } of GROUPS) {
    const summary = groupSummary(settings, group);
    blocks.push(divider, section(`*${title}*\n${summary}`, { accessory: button('Change', actionId, group) }));
  }
  return {
    type: 'modal',
    callback_id: SettingsCallbackIds.menu,
    title: plainText('Pickup settings'),
    close: plainText('Done'),
    blocks,
  };
}

/** A modal step's title, submit and close labels: setup shows the step and moves on; editing saves. */
function chrome(mode: SettingsMode, editTitle: string, step: number): Pick<Modal, 'title' | 'submit' | 'close'> {
  return mode === 'setup'
    ? { title: plainText(`Set up Pickup (${step}/3)`), submit: plainText('Next'), close: plainText('Cancel') }
    : { title: plainText(editTitle), submit: plainText('Save'), close: plainText('Back') };
}

/** A setting's help, as a field's hint: "Where the daily pick is posted". */
function helpOf(name: SettingName): string {
  const { help } = SETTINGS[name];
  return help.charAt(0).toUpperCase() + help.slice(1);
}

function channelInput(settings: EffectiveByName, name: ChannelSetting): InputBlock {
  const current = settings.get(name)?.value;
  return inputBlock(
    name,
    SETTINGS[name].label,
    {
      type: 'conversations_select',
      placeholder: plainText('Choose a channel'),
      ...(current && /^[CG][A-Z0-9]{2,}$/.test(current) ? { initial_conversation: current } : {}),
      // Pickup posts to channels: DMs, group DMs and channels shared with other organisations are not offered.
      filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
    },
    name === 'SUPPORT_CHANNEL',
    helpOf(name),
  );
}

/**
 * The Channels modal (`settings_channels`): a channel picker for the executives', leadership and (optional)
 * support channels, each starting at its current value, with that value's source under it.
 */
export function buildChannelsModal(effective: readonly EffectiveSetting[], mode: SettingsMode): Modal {
  const settings = byName(effective);
  const blocks: Block[] = [
    section(
      mode === 'setup'
        ? "*Welcome to Pickup.* Three short steps: where Pickup posts, who takes part, and when. Nothing is posted until they're done."
        : '*Where Pickup posts.*',
    ),
    context(
      'A private channel needs @Pickup in it first: type `/invite @Pickup` there. Pickup can post in public channels without joining.',
    ),
  ];
  for (const name of CHANNEL_SETTINGS) blocks.push(channelInput(settings, name), currentLine(settings.get(name)));
  const metadata: SettingsModalMetadata = { mode };
  return {
    type: 'modal',
    callback_id: SettingsCallbackIds.channels,
    private_metadata: JSON.stringify(metadata),
    ...chrome(mode, 'Channels', 1),
    blocks,
  };
}

/** A user group as an option: "Executives (@execs)", or its ID when Slack could not name it. */
export function groupOption(group: UserGroup): PlainTextOption {
  return option(group.id, group.handle ? `${group.name} (@${group.handle})` : group.name);
}

/** What the People modal labels the groups chosen already with (usergroups.list); an ID stands in for one unknown. */
function initialGroups(value: string | undefined, groups: ReadonlyMap<string, UserGroup>): PlainTextOption[] {
  return entriesOf(value)
    .filter(isGroupId)
    .map((id) => groupOption(groups.get(id) ?? { id, name: id, handle: '' }));
}

/** The labels of the People modal's fields. */
const PEOPLE_LABELS: Record<PeopleSetting, { users: string; groups: string }> = {
  EXECUTIVES: { users: 'Executives', groups: "Executives' user groups" },
  SUPPORT_LEADS: { users: 'Support leads', groups: "Support leads' user groups" },
};

function peopleBlocks(settings: EffectiveByName, name: PeopleSetting, groups: ReadonlyMap<string, UserGroup>) {
  const value = settings.get(name)?.value;
  const users = entriesOf(value).filter((e) => !isGroupId(e));
  const chosenGroups = initialGroups(value, groups);
  // Optional for Slack, so that a user group alone will do; the form asks for at least one of the two.
  const usersInput = inputBlock(
    name,
    PEOPLE_LABELS[name].users,
    {
      type: 'multi_users_select',
      placeholder: plainText('Choose people'),
      ...(users.length > 0 ? { initial_users: users } : {}),
    },
    true,
    helpOf(name),
  );
  const groupsInput: InputBlock = {
    type: 'input',
    block_id: GROUP_BLOCKS[name],
    optional: true,
    label: plainText(PEOPLE_LABELS[name].groups),
    element: {
      type: 'multi_external_select',
      // Its own action_id (not INPUT_ACTION_ID): Slack asks Pickup for its options by it.
      action_id: GROUP_ACTION_IDS[name],
      placeholder: plainText('Type to search user groups'),
      min_query_length: 0,
      ...(chosenGroups.length > 0 ? { initial_options: chosenGroups } : {}),
    },
    hint: plainText("Everyone in a group counts, as the group's members change."),
  };
  return [usersInput, groupsInput, currentLine(settings.get(name))];
}

/**
 * The People modal (`settings_people`): executives and support leads, each as people (multi_users_select) and
 * user groups (an external select Pickup fills from usergroups.list), starting at their current values.
 * `groups` names the groups chosen already; one it lacks is shown by its ID.
 */
export function buildPeopleModal(
  effective: readonly EffectiveSetting[],
  groups: readonly UserGroup[],
  mode: SettingsMode,
): Modal {
  const settings = byName(effective);
  const known = new Map(groups.map((g) => [g.id, g]));
  const intro: SectionBlock = section(
    '*Who takes part.* Executives claim complaints and call the customers; support leads hand complaints over with `/escalate`. Choose people, user groups, or both.',
  );
  const blocks: Block[] = [intro];
  PEOPLE_SETTINGS.forEach((name, i) => {
    if (i > 0) blocks.push(divider);
    blocks.push(...peopleBlocks(settings, name, known));
  });
  const metadata: SettingsModalMetadata = { mode };
  return {
    type: 'modal',
    callback_id: SettingsCallbackIds.people,
    private_metadata: JSON.stringify(metadata),
    ...chrome(mode, 'People', 2),
    blocks,
  };
}
