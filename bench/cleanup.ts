/** Things to undo if the bench stops early (an error, Ctrl-C): bench databases, temp dirs, child processes. */
const cleanups = new Set<() => Promise<void>>();

/** Registers `fn` to run on an early stop; returns a function that unregisters it. */
export function onEarlyStop(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Runs every registered cleanup, newest first, reporting (not throwing) failures. */
export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
