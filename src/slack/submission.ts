import type { ViewErrorsResponseAction, ViewResponseAction } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../logger';
import { DomainError } from '../shared/errors';
import type { FormErrors } from '../shared/view-state';
import { describeError } from './error-handler';

/** A view submission's ack: empty closes the modal, errors keep it open and show them under their inputs. */
export type SubmissionAck = (response?: ViewErrorsResponseAction) => Promise<void>;

/** Acks a submission with inline errors, keyed by block_id; the modal stays open with what was typed. */
export function showFormErrors(ack: SubmissionAck, errors: FormErrors): Promise<void> {
  return ack({ response_action: 'errors', errors });
}

/**
 * Runs a submission's work, then acks to close the modal. A failure is shown in the still-open modal under
 * `errorBlock` (known errors by their message, unknown ones with a logged correlation id) rather than thrown:
 * before its ack, a submission can be answered nowhere else. Returns what the work returned, once acked.
 */
export async function submitThenAck<T>(
  ack: SubmissionAck,
  failure: { errorBlock: string; logger: Logger; context: Record<string, unknown> },
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  let value: T;
  try {
    value = await work();
  } catch (err) {
    await showFormErrors(ack, { [failure.errorBlock]: describeError(err, failure.logger, failure.context) });
    return { ok: false };
  }
  await ack();
  return { ok: true, value };
}

/** A view submission's ack that may also answer with the next view ('update', 'push') or close them all ('clear'). */
export type ViewSubmissionAck = (response?: ViewResponseAction) => Promise<void>;

/**
 * {@link submitThenAck} for a submission whose answer depends on its work: the work returns what to ack with
 * (inline errors, the next view, or nothing to close the modal) beside its value. A failure is shown in the modal
 * under `errorBlock`, as there. Returns the work's value once acked.
 */
export async function submitThenRespond<T>(
  ack: ViewSubmissionAck,
  failure: { errorBlock: string; logger: Logger; context: Record<string, unknown> },
  work: () => Promise<{ response?: ViewResponseAction | undefined; value: T }>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  let answer: { response?: ViewResponseAction | undefined; value: T };
  try {
    answer = await work();
  } catch (err) {
    await showFormErrors(ack, { [failure.errorBlock]: describeError(err, failure.logger, failure.context) });
    return { ok: false };
  }
  await ack(answer.response);
  return { ok: true, value: answer.value };
}

/** Text that Pickup wrote as JSON; empty means an empty object. Text that is not JSON is an issue, not a throw. */
const jsonText = z.string().transform((text, ctx): unknown => {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
});

/**
 * A modal's private_metadata, which Pickup wrote as JSON when it opened the modal, checked against `schema`.
 * A modal from an older release, or a forged one, gets `stale` as a DomainError('invalid_input').
 */
export function parsePrivateMetadata<T>(schema: z.ZodType<T>, privateMetadata: string, stale: string): T {
  const parsed = jsonText.pipe(schema).safeParse(privateMetadata);
  if (!parsed.success) throw new DomainError('invalid_input', stale);
  return parsed.data;
}
