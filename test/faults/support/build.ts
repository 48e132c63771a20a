import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/wait-for';

/** The repository root, where `npm run build` runs and `dist/` lands. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The compiled bot and CLI the fault suite runs as real processes. */
export const MAIN_JS = path.join(REPO_ROOT, 'dist/src/main.js');

const BUILD_TIMEOUT_MS = 180_000;
const LOCK_PREFIX = 'pickup-faults-build-';

/** Earlier runs' lock directories (an hour old and more): each run leaves one behind, since any worker may read it. */
function removeStaleLocks(): void {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(LOCK_PREFIX)) continue;
    const dir = path.join(tmp, name);
    if (Date.now() - fs.statSync(dir).mtimeMs > 3_600_000) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['run', 'build', '--silent'],
      { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`npm run build failed:\n${stdout}\n${stderr}`));
        else resolve();
      },
    );
  });
}

/**
 * Runs `npm run build` once per jest run, however many fault files (in however many workers) ask: the first
 * caller takes a lock directory named after the run and builds; the others wait for its verdict. Lazy, so a
 * `npm test` that skips the fault suite pays nothing. PICKUP_FAULTS_PREBUILT=1 uses the dist/ already built.
 */
export async function ensureBuilt(): Promise<void> {
  // For iterating on the fault tests themselves: trust the dist/ you built (the suite never skips this in CI).
  if (process.env.PICKUP_FAULTS_PREBUILT === '1' && fs.existsSync(MAIN_JS)) return;
  const runId = process.env.JEST_RUN_ID ?? `pid${process.ppid}`;
  removeStaleLocks();
  const lock = path.join(os.tmpdir(), `${LOCK_PREFIX}${runId}`);
  const done = path.join(lock, 'done');
  const failed = path.join(lock, 'failed');
  let owner = false;
  try {
    fs.mkdirSync(lock);
    owner = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (owner) {
    try {
      await runBuild();
      fs.writeFileSync(done, '');
    } catch (err) {
      fs.writeFileSync(failed, String(err));
      throw err;
    }
    return;
  }
  await waitFor(
    () => {
      if (fs.existsSync(failed)) throw new Error(fs.readFileSync(failed, 'utf8'));
      return fs.existsSync(done);
    },
    { timeoutMs: BUILD_TIMEOUT_MS, intervalMs: 200, what: `another worker's build (lock ${lock})` },
  );
}
