/** How long {@link waitFor} and {@link waitUntilPasses} poll, and what a timeout says. */
export interface WaitOptions {
  /** Give up after this long (default 5 s: generous for a loaded machine, short for a hung test). */
  timeoutMs?: number;
  /** Pause between checks (default 20 ms). */
  intervalMs?: number;
  /** What was awaited, for the timeout's message ("the pick post to be sent"). */
  what?: string;
  /** Asked at the timeout, to add what was seen instead (a process's log tail, the calls recorded). */
  seen?: () => string;
}

type Done<T> = Exclude<T, undefined | null | false>;

const isDone = <T>(value: T): value is Done<T> => value !== undefined && value !== null && value !== false;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns something other than `undefined`, `null` or `false`, and resolves with that value:
 * a predicate (`() => rows.length > 0`) resolves with `true`, a finder (`() => calls.find(...)`) with what it found.
 * Rejects after `timeoutMs`, naming `what` and `seen()`. An error thrown by `check` fails the wait at once.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<Done<T>> {
  const { timeoutMs = 5_000, intervalMs = 20, what = 'a condition', seen } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (isDone(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? `; saw: ${seen()}` : ''}`);
    }
    await pause(intervalMs);
  }
}

/**
 * Runs `assertion` until it stops throwing (an `expect` that will come true once the system catches up), and
 * resolves with its result. After `timeoutMs` it rethrows the last failure, so the test reports what was wrong.
 */
export async function waitUntilPasses<T>(assertion: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await pause(intervalMs);
  }
}
