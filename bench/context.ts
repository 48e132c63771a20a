import type { LoadProcess } from './load';
import type { SlackStub } from './slack';

/** The helper processes every benchmark may use: the fake Slack and the load generator. */
export interface BenchContext {
  slack: SlackStub;
  load: LoadProcess;
}

/** Throws unless every timing has the expected status, quoting the first failure. */
export function expectStatus(
  timings: readonly { status: number; body?: string }[],
  status: number,
  what: string,
): void {
  const bad = timings.filter((t) => t.status !== status);
  if (bad.length > 0) {
    throw new Error(
      `${bad.length} of ${timings.length} ${what} were answered ${bad[0]?.status}: ${bad[0]?.body ?? ''}`,
    );
  }
}
