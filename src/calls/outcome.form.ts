import { OutcomeBlocks } from '../shared/ids';
import {
  checkedValues,
  dateValue,
  type FormErrors,
  type FormResult,
  selectedValue,
  textValue,
  type ViewValues,
} from '../shared/view-state';
import { ASSESSMENTS, type Assessment, type AttemptInput, OUTCOMES, type Outcome } from './call';

const isOneOf = <T extends string>(list: readonly T[], v: string | undefined): v is T =>
  v !== undefined && (list as readonly string[]).includes(v);

/**
 * Validates the outcome modal. `today` is the date in TIMEZONE: a follow-up date must not be before it,
 * and a rescheduled call needs one.
 */
export function parseOutcomeForm(values: ViewValues, today: string): FormResult<AttemptInput> {
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
  if (Object.keys(errors).length > 0 || !isOneOf(OUTCOMES, outcome)) return { ok: false, errors };
  return {
    ok: true,
    value: {
      outcome: outcome as Outcome,
      notes,
      followUpDate,
      assessment: assessment as Assessment | undefined,
      okToQuote: checkedValues(values, OutcomeBlocks.okToQuote).includes('yes'),
    },
  };
}
