import { type ActionInput, actionInputSchema, DEFAULT_ACTION_THEMES, isKnownTheme } from '../actions/action';
import { OutcomeBlocks } from '../shared/ids';
import {
  checkedValues,
  dateValue,
  type FormErrors,
  type FormResult,
  selectedValue,
  textValue,
  userValue,
  type ViewValues,
} from '../shared/view-state';
import { ASSESSMENTS, type Assessment, type AttemptInput, OUTCOMES, type Outcome } from './call';

const isOneOf = <T extends string>(list: readonly T[], v: string | undefined): v is T =>
  v !== undefined && (list as readonly string[]).includes(v);

/** What the outcome form is checked against besides the date: the themes offered, and who submits it. */
export interface OutcomeFormContext {
  /** The themes the modal offered (ACTION_THEMES, or the defaults). */
  themes: readonly string[];
  /** The executive submitting: the action's owner when they chose nobody else. */
  userId?: string | undefined;
}

/** The longest thank-you message, so it fits one Slack post with its context. */
export const THANK_MESSAGE_MAX = 1000;

/**
 * Validates the outcome modal. `today` is the date in TIMEZONE: a follow-up or due date must not be before it,
 * and a rescheduled call needs one. "What should change?" with its theme, owner and due date becomes `action`.
 */
export function parseOutcomeForm(
  values: ViewValues,
  today: string,
  context: OutcomeFormContext = { themes: DEFAULT_ACTION_THEMES },
): FormResult<AttemptInput> {
  const errors: FormErrors = {};
  const outcome = selectedValue(values, OutcomeBlocks.outcome);
  const assessment = selectedValue(values, OutcomeBlocks.advocate);
  const followUpDate = dateValue(values, OutcomeBlocks.followUpDate);
  const notes = textValue(values, OutcomeBlocks.notes);
  if (!isOneOf(OUTCOMES, outcome)) errors[OutcomeBlocks.outcome] = 'Choose how the call went.';
  if (assessment !== undefined && !isOneOf(ASSESSMENTS, assessment))
    errors[OutcomeBlocks.advocate] = 'Choose one of the options.';
  if (followUpDate !== undefined && followUpDate < today) {
    errors[OutcomeBlocks.followUpDate] = `Pick today (${today}) or a later date.`;
  }
  if (outcome === 'rescheduled' && followUpDate === undefined) {
    errors[OutcomeBlocks.followUpDate] = 'When did you agree to call back? Pick the date.';
  }
  if (notes !== undefined && notes.length > 3000) errors[OutcomeBlocks.notes] = 'Keep notes under 3,000 characters.';
  const action = parseActionFields(values, today, context, errors);
  const thanks = parseThanks(values, errors);
  if (Object.keys(errors).length > 0 || !isOneOf(OUTCOMES, outcome)) return { ok: false, errors };
  return {
    ok: true,
    value: {
      outcome: outcome as Outcome,
      notes,
      followUpDate,
      assessment: assessment as Assessment | undefined,
      okToQuote: checkedValues(values, OutcomeBlocks.okToQuote).includes('yes'),
      ...(action ? { action } : {}),
      ...(thanks ? { thanks } : {}),
    },
  };
}

/**
 * "What should change?" and the inputs that go with it. A theme, another owner or a due date without it is an
 * error on `change` (they would be lost); with it, a theme is required. The owner defaults to the executive.
 */
function parseActionFields(
  values: ViewValues,
  today: string,
  context: OutcomeFormContext,
  errors: FormErrors,
): ActionInput | undefined {
  const description = textValue(values, OutcomeBlocks.change);
  const theme = selectedValue(values, OutcomeBlocks.theme);
  const chosenOwner = userValue(values, OutcomeBlocks.actionOwner);
  const dueDate = dateValue(values, OutcomeBlocks.actionDue);
  const otherOwner = chosenOwner !== undefined && chosenOwner !== context.userId;
  if (description === undefined) {
    if (theme !== undefined || otherOwner || dueDate !== undefined) {
      errors[OutcomeBlocks.change] = 'Say what should change, or clear the theme, owner and due date.';
    }
    return undefined;
  }
  if (theme === undefined) errors[OutcomeBlocks.theme] = 'Choose the theme of this change.';
  else if (!isKnownTheme(context.themes, theme)) errors[OutcomeBlocks.theme] = 'Choose one of the themes listed.';
  if (dueDate !== undefined && dueDate < today) errors[OutcomeBlocks.actionDue] = `Pick today (${today}) or later.`;
  const parsed = actionInputSchema.safeParse({ description, theme, ownerId: chosenOwner ?? context.userId, dueDate });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const block = ACTION_FIELD_BLOCKS[String(issue.path[0])] ?? OutcomeBlocks.change;
    errors[block] ??= ACTION_FIELD_MESSAGES[block] ?? issue.message;
  }
  return undefined;
}

/** Where an invalid action field is shown in the modal. */
const ACTION_FIELD_BLOCKS: Record<string, string> = {
  description: OutcomeBlocks.change,
  theme: OutcomeBlocks.theme,
  ownerId: OutcomeBlocks.actionOwner,
  dueDate: OutcomeBlocks.actionDue,
};

const ACTION_FIELD_MESSAGES: Record<string, string> = {
  [OutcomeBlocks.change]: 'Keep it under 2,000 characters.',
  [OutcomeBlocks.actionOwner]: 'Choose who owns this change.',
  [OutcomeBlocks.actionDue]: 'Pick a date.',
};

/** "Thank the support team": ticked, with an optional message. A message without the tick is an error. */
function parseThanks(values: ViewValues, errors: FormErrors): { message?: string } | undefined {
  const ticked = checkedValues(values, OutcomeBlocks.thankSupport).includes('yes');
  const message = textValue(values, OutcomeBlocks.thankMessage);
  if (message !== undefined && message.length > THANK_MESSAGE_MAX) {
    errors[OutcomeBlocks.thankMessage] = `Keep it under ${THANK_MESSAGE_MAX.toLocaleString('en-US')} characters.`;
  }
  if (!ticked) {
    if (message !== undefined)
      errors[OutcomeBlocks.thankSupport] = 'Tick this to send your thanks, or clear the message.';
    return undefined;
  }
  return message === undefined ? {} : { message };
}
