import type { HelpDeskClientOptions } from '../../src/helpdesks/client.helpers';
import { HelpDeskApiError, type HelpDeskClient } from '../../src/ports/helpdesk.port';
import type { FakeHelpDesk } from '../helpers/fake-helpdesks';

/** What the shared error table needs from one vendor's test file. */
export interface ErrorTableSetup {
  /** The running fake (read when each test runs, after beforeAll started it). */
  fake: () => FakeHelpDesk;
  client: (options?: HelpDeskClientOptions) => HelpDeskClient;
  /** A ticket the fake holds. */
  ticketId: string;
  /** The vendor's name, as error messages start with it. */
  vendor: string;
  /** What a 401 message must name: the settings holding the credentials. */
  credentials: RegExp;
}

/** Runs `call` and returns the HelpDeskApiError it throws (failing the test if it throws anything else, or nothing). */
export async function apiError(call: () => Promise<unknown>): Promise<HelpDeskApiError> {
  try {
    await call();
  } catch (err) {
    if (err instanceof HelpDeskApiError) return err;
    throw err;
  }
  throw new Error('expected a HelpDeskApiError, but the call succeeded');
}

/**
 * The error classes every client shares, through both port calls: credentials and scope (401, 403) and a missing
 * ticket (404) are permanent; rate limits (with the vendor's own retry header), 5xx, timeouts and network failures
 * are retryable.
 */
export function describeErrorClasses(setup: ErrorTableSetup): void {
  const note = { text: 'Called the customer.', tags: [] };
  const calls: [string, (c: HelpDeskClient, id: string) => Promise<unknown>][] = [
    ['addInternalNote', (c, id) => c.addInternalNote(id, note)],
    ['fetchThread', (c, id) => c.fetchThread(id, 10)],
  ];

  describe.each(calls)('errors from %s', (_name, call) => {
    it('401: permanent, naming the vendor and the credential settings to fix', async () => {
      setup.fake().failNext({ status: 401 }, 2);
      const err = await apiError(() => call(setup.client(), setup.ticketId));
      expect(err).toMatchObject({ retryable: false, status: 401 });
      expect(err.message).toMatch(new RegExp(`^${setup.vendor} refused the credentials`));
      expect(err.message).toMatch(setup.credentials);
    });

    it('403: permanent, saying what permission is missing', async () => {
      setup.fake().failNext({ status: 403 });
      const err = await apiError(() => call(setup.client(), setup.ticketId));
      expect(err).toMatchObject({ retryable: false, status: 403 });
      expect(err.message).toMatch(new RegExp(`^${setup.vendor} denied the request \\(403`));
    });

    it('404 for a ticket the help desk does not have: permanent', async () => {
      const err = await apiError(() => call(setup.client(), 'no-such-ticket-99'));
      expect(err).toMatchObject({ retryable: false, status: 404 });
      expect(err.message).toMatch(/no such ticket \(404.*deleted or merged/);
    });

    it('429: retryable, with how long the vendor asked to wait', async () => {
      setup.fake().failNext({ status: 429, retryAfterSeconds: 30 });
      const err = await apiError(() => call(setup.client(), setup.ticketId));
      expect(err).toMatchObject({ retryable: true, status: 429 });
      // Intercom says when the window resets (whole seconds), the others how long to wait.
      expect(err.retryAfterMs).toBeGreaterThanOrEqual(28_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    });

    it.each([500, 502, 503] as const)('%s: retryable', async (status) => {
      setup.fake().failNext({ status });
      const err = await apiError(() => call(setup.client(), setup.ticketId));
      expect(err).toMatchObject({ retryable: true, status });
    });

    it('an answer slower than the deadline: retryable, saying it timed out', async () => {
      setup.fake().failNext({ delayMs: 1_000 });
      const err = await apiError(() => call(setup.client({ timeoutMs: 100 }), setup.ticketId));
      expect(err).toMatchObject({ retryable: true, status: undefined });
      expect(err.message).toMatch(new RegExp(`^${setup.vendor} did not answer within 0.1 s`));
    });

    it('a dropped connection: retryable', async () => {
      setup.fake().failNext({ reset: true });
      const err = await apiError(() => call(setup.client(), setup.ticketId));
      expect(err).toMatchObject({ retryable: true, status: undefined });
      expect(err.message).toMatch(new RegExp(`^${setup.vendor} could not be reached`));
    });
  });
}
