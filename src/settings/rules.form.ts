import { z } from 'zod';
import type { FormErrors, FormResult, ViewValues } from '../shared/view-state';
import { listItems, NUMBER_RULES, PRIORITIES, RulesBlocks, type RulesModalModel } from './rules';
import type { SettingName, SettingsChange } from './settings';

/** One input's state as the Rules modal's elements send it (checkboxes, number and text inputs). */
const inputState = z.object({
  value: z.string().nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});
type InputState = z.infer<typeof inputState>;

/** The state of the block's one input, checked by shape; a block absent or of another shape reads as empty. */
function stateOf(values: ViewValues, blockId: string): InputState {
  const block = values[blockId];
  const parsed = inputState.safeParse(block ? Object.values(block)[0] : undefined);
  return parsed.success ? parsed.data : {};
}

const priorities = z.array(z.enum(PRIORITIES));
const wholeNumber = /^\d{1,9}$/;
const THEME_MAX = 50;
const THEMES_MAX = 100;

/** The ticked priorities in the modal's order; none ticked, or one never offered, is an error. */
function parsePriorities(values: ViewValues, errors: FormErrors): string[] {
  const ticked = priorities.safeParse(
    (stateOf(values, RulesBlocks.majorPriorities).selected_options ?? []).map((o) => o.value),
  );
  if (!ticked.success) errors[RulesBlocks.majorPriorities] = 'Tick priorities from the list.';
  else if (ticked.data.length === 0) errors[RulesBlocks.majorPriorities] = 'Tick at least one priority.';
  else return PRIORITIES.filter((p) => ticked.data.includes(p));
  return [];
}

/** Each whole-number rule that changed, as text; a blank, a fraction or a number under its minimum is an error. */
function parseNumbers(values: ViewValues, model: RulesModalModel, errors: FormErrors, change: SettingsChange): void {
  for (const rule of NUMBER_RULES) {
    const text = stateOf(values, rule.blockId).value?.trim() ?? '';
    if (!wholeNumber.test(text)) {
      errors[rule.blockId] = text ? 'Enter a whole number, e.g. 30.' : 'Enter a number.';
      continue;
    }
    const n = Number(text);
    if (n < rule.min) {
      errors[rule.blockId] = `Enter ${rule.min} or more.`;
      continue;
    }
    if (String(n) !== model.numbers[rule.name].value) change[rule.name] = String(n);
  }
}

/** The themes, one per line or comma separated: each at most 50 characters, at most 100, none twice (any case). */
function parseThemes(values: ViewValues, errors: FormErrors): string[] {
  const themes = listItems(stateOf(values, RulesBlocks.actionThemes).value ?? undefined);
  const long = themes.find((t) => t.length > THEME_MAX);
  const lower = themes.map((t) => t.toLowerCase());
  const twice = themes.find((_, i) => lower.indexOf(lower[i] ?? '') !== i);
  if (long)
    errors[RulesBlocks.actionThemes] =
      `"${long.slice(0, 60)}…" is too long: keep each theme to ${THEME_MAX} characters.`;
  else if (themes.length > THEMES_MAX) errors[RulesBlocks.actionThemes] = `List at most ${THEMES_MAX} themes.`;
  else if (twice) errors[RulesBlocks.actionThemes] = `"${twice}" is listed twice; list each theme once.`;
  return themes;
}

/**
 * Validates the Rules modal against what it showed (`model`) and returns only the settings that change. A list
 * emptied (tags, themes) drops the saved value, so the environment's or the default applies again.
 */
export function parseRulesForm(values: ViewValues, model: RulesModalModel): FormResult<SettingsChange> {
  const errors: FormErrors = {};
  const change: SettingsChange = {};
  const ticked = parsePriorities(values, errors);
  const tags = [...new Set(listItems(stateOf(values, RulesBlocks.majorTags).value ?? undefined))];
  parseNumbers(values, model, errors, change);
  const themes = parseThemes(values, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const sameList = (a: readonly string[], b: readonly string[]) => a.join(',') === b.join(',');
  const shownPriorities = PRIORITIES.filter((p) => model.majorPriorities.value.includes(p));
  if (!sameList(ticked, shownPriorities)) change.MAJOR_PRIORITIES = ticked.join(',');
  if (!sameList(tags, model.majorTags.value)) change.MAJOR_TAGS = tags.length > 0 ? tags.join(',') : null;
  if (!sameList(themes, model.actionThemes.value)) change.ACTION_THEMES = themes.length > 0 ? themes.join(',') : null;
  return { ok: true, value: change };
}

/** Where each setting of the Rules modal is shown, for the settings service's refusals. */
export const RULES_SETTING_BLOCKS: Partial<Record<SettingName, string>> = {
  MAJOR_PRIORITIES: RulesBlocks.majorPriorities,
  MAJOR_TAGS: RulesBlocks.majorTags,
  ACTION_THEMES: RulesBlocks.actionThemes,
  ...Object.fromEntries(NUMBER_RULES.map((rule) => [rule.name, rule.blockId])),
};
