#!/usr/bin/env node
/**
 * Builds Pickup (`tsc -p tsconfig.build.json`) only when something it compiles changed since the last build, so
 * `npm start` and `npm run cli` stay one command without paying for a compiler run on every start: even an
 * incremental tsc with nothing to do spends seconds loading the program, while this check reads a few hundred
 * file times. Plain JavaScript, so it runs before anything is compiled.
 *
 * "Changed" means a file or directory under an input is newer than the stamp written when the last build started;
 * directories count because adding, deleting or renaming a file touches its directory. No stamp, or no
 * dist/src/main.js, means build. Without src/ (a runtime image that ships only dist/) there is nothing to build.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'dist', '.build-stamp');
/** What the build reads: tsconfig.build.json's includes, the compiler settings and the installed packages. */
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** The newest modification time (ms) of a path and, for a directory, of everything beneath it. */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    if (err.code === 'ENOENT') return 0;
    throw err;
  }
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function stampTime() {
  try {
    return fs.statSync(STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

/** Why a build is needed, or undefined when dist/ is current. */
function staleReason() {
  if (!fs.existsSync(path.join(root, 'dist', 'src', 'main.js'))) return 'no build yet';
  const stamp = stampTime();
  if (stamp < 0) return 'no record of the last build';
  const changed = INPUTS.find((input) => newestMtime(path.join(root, input)) > stamp);
  return changed && `${changed} changed`;
}

function main() {
  if (!fs.existsSync(path.join(root, 'src'))) return 0;
  const reason = staleReason();
  if (!reason) return 0;
  process.stderr.write(`Building Pickup (${reason})…\n`);
  // Stamped with the time the build started, so a file saved while tsc runs still counts as changed next time.
  const startedAt = new Date();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // The compiler's report goes to stderr: `npm run cli -- export` keeps stdout for its data.
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed (see above); fix the errors and run the command again.\n');
    return result.status ?? 1;
  }
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, '');
  fs.utimesSync(STAMP, startedAt, startedAt);
  return 0;
}

process.exitCode = main();
