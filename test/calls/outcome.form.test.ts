import type { AttemptInput } from '../../src/calls/call';
import { parseOutcomeForm } from '../../src/calls/outcome.form';
import { INPUT_ACTION_ID, OutcomeBlocks } from '../../src/shared/ids';
import type { FormResult, InputState, ViewValues } from '../../src/shared/view-state';
import { INJECTION } from '../helpers/customer-text';

const TODAY = '2026-11-30';

/** What the outcome modal's inputs hold, by block_id, as Slack sends `view.state.values`. */
type Filled = Partial<Record<(typeof OutcomeBlocks)[keyof typeof OutcomeBlocks], InputState>>;

function submitted(filled: Filled): ViewValues {
  return Object.fromEntries(Object.entries(filled).map(([blockId, state]) => [blockId, { [INPUT_ACTION_ID]: state }]));
}

const select = (value: string): InputState => ({ type: 'static_select', selected_option: { value } });
const text = (value: string | null): InputState => ({ type: 'plain_text_input', value });
const date = (value: string | null): InputState => ({ type: 'datepicker', selected_date: value });
const checked = (...values: string[]): InputState => ({
  type: 'checkboxes',
  selected_options: values.map((value) => ({ value })),
});

/** A reached call with nothing optional filled in: the smallest valid submission. */
const reached: Filled = {
  [OutcomeBlocks.outcome]: select('reached'),
  [OutcomeBlocks.notes]: text(null),
  [OutcomeBlocks.followUpDate]: date(null),
  [OutcomeBlocks.advocate]: { type: 'static_select', selected_option: null },
  [OutcomeBlocks.okToQuote]: checked(),
};

const accepted = (value: Partial<AttemptInput>): FormResult<AttemptInput> => ({
  ok: true,
  value: {
    outcome: 'reached',
    notes: undefined,
    followUpDate: undefined,
    assessment: undefined,
    okToQuote: false,
    ...value,
  },
});

const refused = (errors: Record<string, string>): FormResult<AttemptInput> => ({ ok: false, errors });

describe('parseOutcomeForm', () => {
  it.each<[scenario: string, filled: Filled, expected: FormResult<AttemptInput>]>([
    ['a reached call, nothing else said', reached, accepted({})],
    [
      'everything filled in',
      {
        [OutcomeBlocks.outcome]: select('reached'),
        [OutcomeBlocks.notes]: text('  Wants a refund and an apology.  '),
        [OutcomeBlocks.followUpDate]: date('2026-12-04'),
        [OutcomeBlocks.advocate]: select('advocate'),
        [OutcomeBlocks.okToQuote]: checked('yes'),
      },
      accepted({
        notes: 'Wants a refund and an apology.',
        followUpDate: '2026-12-04',
        assessment: 'advocate',
        okToQuote: true,
      }),
    ],
    [
      'customer text in the notes is kept as typed (escaping is for the builders)',
      { ...reached, [OutcomeBlocks.notes]: text(INJECTION) },
      accepted({ notes: INJECTION }),
    ],
    ['notes of only spaces count as none', { ...reached, [OutcomeBlocks.notes]: text(' \n\t ') }, accepted({})],
    [
      'notes of exactly 3,000 characters',
      { ...reached, [OutcomeBlocks.notes]: text('n'.repeat(3000)) },
      accepted({ notes: 'n'.repeat(3000) }),
    ],
    [
      'notes over 3,000 characters',
      { ...reached, [OutcomeBlocks.notes]: text('n'.repeat(3001)) },
      refused({ [OutcomeBlocks.notes]: 'Keep notes under 3,000 characters.' }),
    ],
    [
      'a follow-up today',
      { ...reached, [OutcomeBlocks.outcome]: select('voicemail'), [OutcomeBlocks.followUpDate]: date(TODAY) },
      accepted({ outcome: 'voicemail', followUpDate: TODAY }),
    ],
    [
      'a follow-up in the past',
      { ...reached, [OutcomeBlocks.followUpDate]: date('2026-11-29') },
      refused({ [OutcomeBlocks.followUpDate]: `Pick today (${TODAY}) or a later date.` }),
    ],
    [
      'rescheduled with a date',
      { ...reached, [OutcomeBlocks.outcome]: select('rescheduled'), [OutcomeBlocks.followUpDate]: date('2026-12-02') },
      accepted({ outcome: 'rescheduled', followUpDate: '2026-12-02' }),
    ],
    [
      'rescheduled without a date',
      { ...reached, [OutcomeBlocks.outcome]: select('rescheduled') },
      refused({ [OutcomeBlocks.followUpDate]: 'When did you agree to call back? Pick the date.' }),
    ],
    [
      'no outcome chosen',
      { ...reached, [OutcomeBlocks.outcome]: { type: 'static_select', selected_option: null } },
      refused({ [OutcomeBlocks.outcome]: 'Choose how the call went.' }),
    ],
    [
      'an outcome the modal never offered',
      { ...reached, [OutcomeBlocks.outcome]: select('exploded') },
      refused({ [OutcomeBlocks.outcome]: 'Choose how the call went.' }),
    ],
    [
      'an assessment the modal never offered',
      { ...reached, [OutcomeBlocks.advocate]: select('ecstatic') },
      refused({ [OutcomeBlocks.advocate]: 'Choose one of the options.' }),
    ],
    ['a quote checkbox with another value', { ...reached, [OutcomeBlocks.okToQuote]: checked('no') }, accepted({})],
    ['a submission missing every block', {}, refused({ [OutcomeBlocks.outcome]: 'Choose how the call went.' })],
    [
      'every mistake at once, each under its own input',
      {
        [OutcomeBlocks.outcome]: select('exploded'),
        [OutcomeBlocks.notes]: text('n'.repeat(3001)),
        [OutcomeBlocks.followUpDate]: date('2020-01-01'),
        [OutcomeBlocks.advocate]: select('ecstatic'),
      },
      refused({
        [OutcomeBlocks.outcome]: 'Choose how the call went.',
        [OutcomeBlocks.notes]: 'Keep notes under 3,000 characters.',
        [OutcomeBlocks.followUpDate]: `Pick today (${TODAY}) or a later date.`,
        [OutcomeBlocks.advocate]: 'Choose one of the options.',
      }),
    ],
  ])('%s', (_scenario, filled, expected) => {
    expect(parseOutcomeForm(submitted(filled), TODAY)).toEqual(expected);
  });

  it('reads each input whatever its action_id, as Slack keys state by block then action', () => {
    const values: ViewValues = { [OutcomeBlocks.outcome]: { some_other_action: select('declined') } };
    expect(parseOutcomeForm(values, TODAY)).toEqual(accepted({ outcome: 'declined' }));
  });
});
