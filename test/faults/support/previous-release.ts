import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFile } from '@swc/core';
import { REPO_ROOT } from './build';

/**
 * The release an upgrade starts from: the last commit before this round of changes (its child only added
 * dependencies). Move it forward when a release is cut, so the test keeps checking the step operators take.
 */
export const PREVIOUS_RELEASE = 'b5e00b7';

/** A runnable build of an earlier commit. */
export interface ReleaseBuild {
  commit: string;
  root: string;
  mainJs: string;
  /** The migration names that release knows. */
  migrations: string[];
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

function typeScriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return typeScriptFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Compiles src/ and migrations/ to dist/ as CommonJS, like `npm run build` but with SWC: no type-check, ~1 s. */
async function compile(root: string): Promise<void> {
  for (const file of [...typeScriptFiles(path.join(root, 'src')), ...typeScriptFiles(path.join(root, 'migrations'))]) {
    const out = path.join(root, 'dist', path.relative(root, file)).replace(/\.ts$/, '.js');
    const { code } = await transformFile(file, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, code);
  }
}

/**
 * Checks out `commit`'s sources (git archive) into a temp directory, links this checkout's node_modules (the
 * release's dependencies are a subset at the same versions) and compiles them. Cached per commit and checkout
 * across runs: the build links one checkout's node_modules, so another checkout (a CI clone) must not reuse it.
 */
export async function buildRelease(commit = PREVIOUS_RELEASE): Promise<ReleaseBuild> {
  const full = (
    await run('git', ['rev-parse', '--verify', `${commit}^{commit}`], REPO_ROOT).catch((err) => {
      throw new Error(`The previous release ${commit} is not in this clone's history (a shallow clone?): ${err}`);
    })
  ).trim();
  const checkout = createHash('sha256').update(fs.realpathSync(REPO_ROOT)).digest('hex').slice(0, 12);
  const root = path.join(os.tmpdir(), `pickup-release-${full}-${checkout}`);
  const mainJs = path.join(root, 'dist/src/main.js');
  const done = path.join(root, '.built');
  if (!fs.existsSync(done)) {
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-release-staging-'));
    const archive = path.join(staging, 'source.tar');
    await run('git', ['archive', '--format=tar', '-o', archive, full, 'src', 'migrations', 'package.json'], REPO_ROOT);
    await run('tar', ['-xf', archive, '-C', staging], staging);
    fs.rmSync(archive);
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(staging, 'node_modules'), 'dir');
    await compile(staging);
    fs.writeFileSync(path.join(staging, '.built'), full);
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(staging, root);
  }
  const migrationNames = fs
    .readdirSync(path.join(root, 'migrations'))
    .filter((f) => /^\d{8}_\d{4}_.+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  return { commit: full, root, mainJs, migrations: migrationNames };
}
