import type { AttemptInput } from '../../src/calls/call';
import {
  buildAttemptNote,
  buildClaimNote,
  buildPickNote,
  NOTE_LEARNING_LIMIT,
  shareableLearning,
} from '../../src/calls/writeback';

const KNOWN = { phone: '+14155550142', email: 'ada@analytical.example' };

const attempt = (overrides: Partial<AttemptInput> = {}): AttemptInput => ({
  outcome: 'reached',
  notes: undefined,
  followUpDate: undefined,
  assessment: undefined,
  okToQuote: false,
  ...overrides,
});

describe('write-back notes', () => {
  it.each([
    [{ date: '2026-12-07', today: true }, "Pickup picked this complaint for today's executive call."],
    [{ date: '2026-11-21', today: false }, 'Pickup picked this complaint for the executive call of 2026-11-21.'],
  ])('picked %j', (pick, text) => {
    expect(buildPickNote(pick)).toBe(text);
  });

  it.each([
    [
      { name: 'Grace Hopper', title: 'VP Customer Success' },
      'An executive will call: Grace Hopper, VP Customer Success.',
    ],
    [{ name: 'Grace Hopper', title: null }, 'An executive will call: Grace Hopper.'],
    [{ name: '  Grace \n Hopper ', title: ' COO ' }, 'An executive will call: Grace Hopper, COO.'],
    [{ name: null, title: 'CTO' }, 'An executive will call this customer.'],
    [undefined, 'An executive will call this customer.'],
    [{ name: 'Grace (ada@analytical.example)', title: null }, 'An executive will call: Grace ([email]).'],
  ])('claimed by %j', (claimer, text) => {
    expect(buildClaimNote(claimer, KNOWN)).toBe(text);
  });

  it('tells the outcome, the follow-up date and the advocacy, with no free text unless marked shareable', () => {
    const notes = 'She wants the refund to +1 415 555 0142 or ada@analytical.example; billing must warn before.';
    expect(
      buildAttemptNote(
        attempt({ outcome: 'rescheduled', followUpDate: '2026-12-20', assessment: 'too_early', notes }),
        KNOWN,
      ),
    ).toBe(
      [
        'An executive called this customer through Pickup.',
        'Outcome: Rescheduled',
        'Follow-up: 2026-12-20',
        'Advocacy: Too early to tell',
      ].join('\n'),
    );
    expect(buildAttemptNote(attempt({ assessment: 'advocate', notes, okToQuote: true }), KNOWN)).toBe(
      [
        'An executive called this customer through Pickup.',
        'Outcome: Reached the customer',
        'Advocacy: Advocate: they would speak up for us',
        'Learning: She wants the refund to [phone] or [email]; billing must warn before.',
      ].join('\n'),
    );
  });

  it('quotes a shareable learning only, redacted and cut to its limit', () => {
    expect(shareableLearning({ notes: 'Call 415-555-0142.', okToQuote: false }, KNOWN)).toBeNull();
    expect(shareableLearning({ notes: '   ', okToQuote: true }, KNOWN)).toBeNull();
    expect(shareableLearning({ notes: undefined, okToQuote: true }, KNOWN)).toBeNull();
    expect(shareableLearning({ notes: 'Call 415-555-0142.', okToQuote: true }, KNOWN)).toBe('Call [phone].');
    const long = shareableLearning({ notes: 'x'.repeat(NOTE_LEARNING_LIMIT + 50), okToQuote: true }, {});
    expect(long).toHaveLength(NOTE_LEARNING_LIMIT);
    expect(long?.endsWith('…')).toBe(true);
  });
});
