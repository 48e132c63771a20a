import type { UserProfile } from '../ports/slack.port';
import { type KnownContacts, redactText } from '../privacy/redact';
import { ASSESSMENT_LABELS, type AttemptInput, OUTCOME_LABELS } from './call';

/**
 * The internal notes Pickup writes on the original ticket, as plain text (each help-desk client escapes it for its
 * vendor). Support agents read them, so no customer contact details: every piece of free text goes through the
 * redaction policy with the complaint's own phone and email.
 */

/** The longest learning a note quotes; the rest stays in Pickup. */
export const NOTE_LEARNING_LIMIT = 2_000;

/** The note on a picked complaint. `today` is false for a pick made for another date (`pick --date`). */
export function buildPickNote(pick: { date: string; today: boolean }): string {
  return pick.today
    ? "Pickup picked this complaint for today's executive call."
    : `Pickup picked this complaint for the executive call of ${pick.date}.`;
}

/** The note on a claimed complaint: who will call, by name and title as Slack knows them, or just "an executive". */
export function buildClaimNote(claimer: UserProfile | undefined, known: KnownContacts): string {
  const [name, title] = [claimer?.name, claimer?.title].map((part) => part?.replace(/\s+/g, ' ').trim());
  // A title alone names nobody: without a name the note says only that an executive will call.
  if (!name) return 'An executive will call this customer.';
  return redactText(`An executive will call: ${title ? `${name}, ${title}` : name}.`, known);
}

/**
 * The note on a logged call: how it went, the follow-up date, the executive's read of the customer, and what was
 * learned only when the executive marked the notes shareable ("OK to quote"); otherwise no free text at all.
 */
export function buildAttemptNote(attempt: AttemptInput, known: KnownContacts): string {
  const lines = ['An executive called this customer through Pickup.', `Outcome: ${OUTCOME_LABELS[attempt.outcome]}`];
  if (attempt.followUpDate) lines.push(`Follow-up: ${attempt.followUpDate}`);
  if (attempt.assessment) lines.push(`Advocacy: ${ASSESSMENT_LABELS[attempt.assessment]}`);
  const learning = shareableLearning(attempt, known);
  if (learning) lines.push(`Learning: ${learning}`);
  return lines.join('\n');
}

/** The notes of a call, redacted and trimmed, when the executive marked them shareable; otherwise null. */
export function shareableLearning(
  attempt: Pick<AttemptInput, 'notes' | 'okToQuote'>,
  known: KnownContacts,
): string | null {
  const notes = attempt.okToQuote ? attempt.notes?.trim() : undefined;
  if (!notes) return null;
  const redacted = redactText(notes, known);
  return redacted.length > NOTE_LEARNING_LIMIT ? `${redacted.slice(0, NOTE_LEARNING_LIMIT - 1)}…` : redacted;
}
