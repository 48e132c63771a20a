import type { PlainTextOption } from '@slack/types';
import { DEFAULT_ACTION_THEMES } from '../actions/action';
import type { Block, Modal } from '../ports/slack.port';
import { context, inputBlock, option, plainText, section } from '../shared/blocks';
import { SettingsCallbackIds } from '../shared/ids';
import { escapeAndTruncate } from '../shared/mrkdwn';
import { NUMBER_RULES, PRIORITIES, RulesBlocks, type RulesModalModel, ruleLabel } from './rules';
import { currentLine } from './setting-fields';
import { SETTINGS } from './settings';

const priorityOption = (p: string): PlainTextOption => option(p, p.charAt(0).toUpperCase() + p.slice(1));

/** A list's current value for a context line: its items escaped, or `empty` when there are none. */
function listText(items: readonly string[], empty: string): string {
  return items.length > 0 ? escapeAndTruncate(items.join(', '), 1500) : empty;
}

/** What makes a complaint major: its priorities (checkboxes) and its tags (comma separated). */
function majorBlocks(model: RulesModalModel): Block[] {
  const { majorPriorities, majorTags } = model;
  const ticked = PRIORITIES.filter((p) => majorPriorities.value.includes(p)).map(priorityOption);
  return [
    inputBlock(
      RulesBlocks.majorPriorities,
      ruleLabel('MAJOR_PRIORITIES'),
      {
        type: 'checkboxes',
        options: PRIORITIES.map(priorityOption),
        ...(ticked.length > 0 ? { initial_options: ticked } : {}),
      },
      false,
      SETTINGS.MAJOR_PRIORITIES.help,
    ),
    context(currentLine(listText(majorPriorities.value, 'none'), majorPriorities.source)),
    inputBlock(
      RulesBlocks.majorTags,
      ruleLabel('MAJOR_TAGS'),
      {
        type: 'plain_text_input',
        max_length: 2000,
        placeholder: plainText('exec-callback, vip'),
        ...(majorTags.value.length > 0 ? { initial_value: majorTags.value.join(', ').slice(0, 2000) } : {}),
      },
      true,
      `${SETTINGS.MAJOR_TAGS.help}, separated by commas`,
    ),
    context(currentLine(listText(majorTags.value, 'none'), majorTags.source)),
  ];
}

/** The windows and delays, each a whole number no less than config.ts accepts. */
function numberBlocks(model: RulesModalModel): Block[] {
  return NUMBER_RULES.flatMap((rule) => {
    const field = model.numbers[rule.name];
    return [
      inputBlock(
        rule.blockId,
        ruleLabel(rule.name),
        {
          type: 'number_input',
          is_decimal_allowed: false,
          min_value: String(rule.min),
          ...(field.value !== undefined ? { initial_value: field.value } : {}),
        },
        false,
        SETTINGS[rule.name].help,
      ),
      context(currentLine(escapeAndTruncate(field.value ?? 'unset', 100), field.source)),
    ];
  });
}

/** The action themes, one per line; none configured means the defaults, which the context line names. */
function themeBlocks(model: RulesModalModel): Block[] {
  const { actionThemes } = model;
  const shown =
    actionThemes.value.length > 0
      ? listText(actionThemes.value, '')
      : `the defaults (${DEFAULT_ACTION_THEMES.join(', ')})`;
  return [
    inputBlock(
      RulesBlocks.actionThemes,
      ruleLabel('ACTION_THEMES'),
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: 3000,
        placeholder: plainText('One per line; leave empty for the defaults'),
        ...(actionThemes.value.length > 0 ? { initial_value: actionThemes.value.join('\n').slice(0, 3000) } : {}),
      },
      true,
      `${SETTINGS.ACTION_THEMES.help}: one per line (or separated by commas), at most 100, each up to 50 characters`,
    ),
    context(currentLine(shown, actionThemes.source)),
  ];
}

/**
 * The Rules modal (callback_id settings_rules): the major rule (priorities and tags), the eligibility window, the
 * customer cooldown, the reminder, follow-up and retention delays, and the action themes, each with its current
 * value and source.
 */
export function buildRulesModal(model: RulesModalModel): Modal {
  return {
    type: 'modal',
    callback_id: SettingsCallbackIds.rules,
    private_metadata: '',
    title: plainText('Rules'),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks: [
      section(
        'Which complaints count as major, how long they stay eligible, and when Pickup nudges, follows up and forgets. Changes apply at once.',
      ),
      ...majorBlocks(model),
      ...numberBlocks(model),
      ...themeBlocks(model),
    ],
  };
}
