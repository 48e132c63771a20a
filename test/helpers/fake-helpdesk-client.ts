import type { VendorSource } from '../../src/complaints/complaint';
import { HelpDeskApiError, type HelpDeskClient, type HelpDeskNote } from '../../src/ports/helpdesk.port';

/**
 * A failure the fake answers a note with, as a vendor client reports it (HelpDeskApiError): an HTTP status
 * (429 with the wait it asked for), a network failure, or `freeze`: the call never settles, as if the process making
 * it had been killed mid-call.
 */
export type FakeClientFailure =
  | { status: 400 | 401 | 403 | 404 | 422 | 500 | 502 | 503 }
  | { status: 429; retryAfterMs: number }
  | { network: true }
  | { freeze: true };

/** One addInternalNote call, answered or not. */
export interface NoteCall {
  ticketId: string;
  note: HelpDeskNote;
  at: number;
  failure?: FakeClientFailure;
}

/** A HelpDeskClient over nothing: it records notes and fails on demand, the way the port says clients fail. */
export interface FakeHelpDeskClient extends HelpDeskClient {
  /** Every call, failed ones included. */
  readonly calls: NoteCall[];
  /** The notes written (calls that succeeded). */
  notes(): NoteCall[];
  /** Answers the next `count` notes with `failure`; successive calls queue up behind each other. */
  failNext(count: number, failure: FakeClientFailure): void;
}

function toError(failure: Exclude<FakeClientFailure, { freeze: true }>): HelpDeskApiError {
  if ('network' in failure) return new HelpDeskApiError('could not reach the API: ECONNRESET', true);
  const { status } = failure;
  if (status === 429) return new HelpDeskApiError('rate limited', true, { status, retryAfterMs: failure.retryAfterMs });
  return new HelpDeskApiError(`HTTP ${status} from the API`, status >= 500, { status });
}

/** A fake client for `source`. */
export function createFakeHelpDeskClient(source: VendorSource): FakeHelpDeskClient {
  const calls: NoteCall[] = [];
  const failures: { remaining: number; failure: FakeClientFailure }[] = [];
  const nextFailure = () => {
    const head = failures[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) failures.shift();
    return head.failure;
  };
  return {
    source,
    calls,
    notes: () => calls.filter((c) => !c.failure),
    failNext(count, failure) {
      failures.push({ remaining: count, failure });
    },
    async addInternalNote(ticketId, note) {
      const failure = nextFailure();
      calls.push({ ticketId, note, at: Date.now(), ...(failure ? { failure } : {}) });
      if (!failure) return;
      if ('freeze' in failure) await new Promise<never>(() => {});
      else throw toError(failure);
    },
    async fetchThread() {
      return [];
    },
  };
}
