/** One input's state in a view_submission, as Slack sends it. */
export interface InputState {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_date?: string | null;
  selected_options?: { value: string }[];
  selected_user?: string | null;
}

/** `view.state.values`: block_id → action_id → state. */
export type ViewValues = Record<string, Record<string, InputState>>;

/** The single input of a block (Pickup gives each input block one element). */
function inputOf(values: ViewValues, blockId: string): InputState | undefined {
  const block = values[blockId];
  return block ? Object.values(block)[0] : undefined;
}

/** A text input's trimmed value, or undefined when empty. */
export function textValue(values: ViewValues, blockId: string): string | undefined {
  const v = inputOf(values, blockId)?.value?.trim();
  return v ? v : undefined;
}

/** A select's chosen value. */
export function selectedValue(values: ViewValues, blockId: string): string | undefined {
  return inputOf(values, blockId)?.selected_option?.value ?? undefined;
}

/** A datepicker's YYYY-MM-DD. */
export function dateValue(values: ViewValues, blockId: string): string | undefined {
  return inputOf(values, blockId)?.selected_date ?? undefined;
}

/** A users_select's chosen user ID. */
export function userValue(values: ViewValues, blockId: string): string | undefined {
  return inputOf(values, blockId)?.selected_user ?? undefined;
}

/** The checked values of a checkbox group. */
export function checkedValues(values: ViewValues, blockId: string): string[] {
  return (inputOf(values, blockId)?.selected_options ?? []).map((o) => o.value);
}

/** Inline modal errors: block_id → message (Slack shows them under each input). */
export type FormErrors = Record<string, string>;

/** A parsed form: the value, or the errors to show inline. */
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };
