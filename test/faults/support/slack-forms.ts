import { checkboxValue, dateValue, selectValue, textValue, type ValueShape } from '../../helpers/slack-requests';

type Values = Record<string, Record<string, ValueShape>>;

/** The escalate_modal's state, as Slack sends it on submit (block_id → action_id `value`). */
export function escalateFormValues(overrides: Record<string, string | null> = {}): Values {
  const text = {
    customer_name: 'Grace Hopper',
    company: 'Navy',
    customer_phone: '+1 (202) 555-0147',
    customer_email: 'grace@example.com',
    customer_timezone: 'America/New_York',
    ticket_url: 'https://desk.example.com/tickets/42',
    subject: 'Outage lost a day of orders',
    support_tried: 'Restarted sync; credited one month',
    ...overrides,
  };
  return {
    ...Object.fromEntries(Object.entries(text).map(([k, v]) => [k, { value: textValue(v) }])),
    priority: { value: selectValue('high') },
    do_not_call: { value: checkboxValue([]) },
  };
}

/** The outcome_modal's state for one call attempt. */
export function outcomeFormValues(
  outcome = 'voicemail',
  options: { notes?: string; followUp?: string | null; advocate?: string | null } = {},
): Values {
  return {
    outcome: { value: selectValue(outcome) },
    notes: { value: textValue(options.notes ?? 'Left a message.') },
    follow_up_date: { value: dateValue(options.followUp ?? null) },
    advocate: { value: selectValue(options.advocate ?? null) },
  };
}

/** The release_modal's state. */
export function releaseFormValues(reason = 'Travelling all week'): Values {
  return { reason: { value: textValue(reason) } };
}
