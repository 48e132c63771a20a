import { DEFAULT_ACTION_THEMES } from '../../src/actions/action';
import { buildOutcomeModal } from '../../src/calls/claim.blocks';
import { parseOutcomeForm } from '../../src/calls/outcome.form';
import type { InputState, ViewValues } from '../../src/shared/view-state';
import { viewProblems } from '../helpers/block-kit';

const TODAY = '2026-12-08';
const EXEC = 'UEXEC0001';
const context = { themes: DEFAULT_ACTION_THEMES, userId: EXEC };

/** The submitted state of the outcome modal: a reached call, plus `inputs` by block_id. */
function submitted(inputs: Record<string, InputState>): ViewValues {
  const values: ViewValues = {
    outcome: { value: { type: 'static_select', selected_option: { value: 'reached' } } },
    action_owner: { value: { type: 'users_select', selected_user: EXEC } },
  };
  for (const [blockId, state] of Object.entries(inputs)) values[blockId] = { value: state };
  return values;
}

const text = (value: string | null): InputState => ({ type: 'plain_text_input', value });
const select = (value: string): InputState => ({ type: 'static_select', selected_option: { value } });
const user = (id: string | null): InputState => ({ type: 'users_select', selected_user: id });
const date = (d: string): InputState => ({ type: 'datepicker', selected_date: d });
const ticked = (...values: string[]): InputState => ({
  type: 'checkboxes',
  selected_options: values.map((value) => ({ value })),
});

describe('parseOutcomeForm: what should change', () => {
  it.each([
    ['nothing to change: no action, even with the default owner', {}, { ok: true, action: undefined }],
    [
      'a change, with theme, owner and due date',
      {
        change: text(' Refund within a day '),
        theme: select('billing'),
        action_owner: user('UOWNER01'),
        action_due: date('2026-12-20'),
      },
      {
        ok: true,
        action: { description: 'Refund within a day', theme: 'billing', ownerId: 'UOWNER01', dueDate: '2026-12-20' },
      },
    ],
    [
      'a change owned by the executive when nobody is chosen, due today',
      { change: text('Fix it'), theme: select('support process'), action_owner: user(null), action_due: date(TODAY) },
      { ok: true, action: { description: 'Fix it', theme: 'support process', ownerId: EXEC, dueDate: TODAY } },
    ],
  ])('%s', (_name, inputs, expected) => {
    const result = parseOutcomeForm(submitted(inputs), TODAY, context);
    expect(result.ok).toBe(expected.ok);
    if (result.ok) expect(result.value.action).toEqual(expected.action);
  });

  it.each([
    [
      'a theme without a change',
      { theme: select('billing') },
      { change: expect.stringContaining('Say what should change') },
    ],
    ['another owner without a change', { action_owner: user('UOWNER01') }, { change: expect.any(String) }],
    ['a due date without a change', { action_due: date('2026-12-20') }, { change: expect.any(String) }],
    ['a change without a theme', { change: text('Fix it') }, { theme: 'Choose the theme of this change.' }],
    [
      'a theme not offered',
      { change: text('Fix it'), theme: select('astrology') },
      { theme: 'Choose one of the themes listed.' },
    ],
    [
      'a due date in the past',
      { change: text('Fix it'), theme: select('billing'), action_due: date('2026-12-07') },
      { action_due: `Pick today (${TODAY}) or later.` },
    ],
    [
      'a change too long',
      { change: text('x'.repeat(2001)), theme: select('billing') },
      { change: 'Keep it under 2,000 characters.' },
    ],
  ])('is an inline error: %s', (_name, inputs, errors) => {
    const result = parseOutcomeForm(submitted(inputs), TODAY, context);
    expect(result).toEqual({ ok: false, errors });
  });

  it('checks themes against the configured list, ignoring case', () => {
    const themes = ['Onboarding', 'Pricing'];
    const values = submitted({ change: text('Shorter setup'), theme: select('onboarding') });
    expect(parseOutcomeForm(values, TODAY, { themes, userId: EXEC })).toMatchObject({ ok: true });
    const stale = submitted({ change: text('Shorter setup'), theme: select('billing') });
    expect(parseOutcomeForm(stale, TODAY, { themes, userId: EXEC })).toMatchObject({ ok: false });
  });
});

describe('parseOutcomeForm: thank the support team', () => {
  it.each([
    ['not ticked', {}, undefined],
    ['ticked, no message', { thank_support: ticked('yes') }, {}],
    [
      'ticked, with a message',
      { thank_support: ticked('yes'), thank_message: text(' You were great ') },
      { message: 'You were great' },
    ],
  ])('%s', (_name, inputs, thanks) => {
    const result = parseOutcomeForm(submitted(inputs), TODAY, context);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.value.thanks).toEqual(thanks);
  });

  it('a message without the tick is an inline error', () => {
    const result = parseOutcomeForm(submitted({ thank_message: text('Thanks!') }), TODAY, context);
    expect(result).toEqual({ ok: false, errors: { thank_support: expect.stringContaining('Tick this') } });
  });
});

describe('buildOutcomeModal: the contract’s optional block_ids', () => {
  it('offers change, theme, action_owner, action_due, thank_support and thank_message, all optional', () => {
    const modal = buildOutcomeModal(5, 'Subject', { themes: ['product'], executiveId: EXEC });
    expect(viewProblems(modal)).toEqual([]);
    const inputs = (modal.blocks as { type: string; block_id?: string; optional?: boolean }[]).filter(
      (b) => b.type === 'input',
    );
    const ids = ['change', 'theme', 'action_owner', 'action_due', 'thank_support', 'thank_message'];
    for (const id of ids) expect(inputs.find((b) => b.block_id === id)).toMatchObject({ optional: true });
    const json = JSON.stringify(modal);
    expect(json).toContain('"initial_user":"UEXEC0001"');
    expect(inputs.find((b) => b.block_id === 'thank_support')).toMatchObject({
      element: { type: 'checkboxes', options: [{ value: 'yes', text: { text: 'Thank the support team' } }] },
    });
  });
});
