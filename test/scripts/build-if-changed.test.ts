import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/build-if-changed.js');

/**
 * A throw-away project laid out like Pickup, with a stand-in compiler that counts its runs, writes
 * dist/src/main.js, and fails while `FAIL` exists: the script under test cannot tell it from tsc.
 */
function makeProject(): { dir: string; run(): { status: number | null; stderr: string }; builds(): number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-build-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(dir, 'scripts', 'build-if-changed.js'));
  fs.mkdirSync(path.join(dir, 'src', 'picks'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'migrations'));
  fs.writeFileSync(path.join(dir, 'src', 'main.ts'), 'export {};\n');
  fs.writeFileSync(path.join(dir, 'src', 'picks', 'pick.ts'), 'export {};\n');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}');
  fs.writeFileSync(path.join(dir, 'tsconfig.build.json'), '{}');
  const tscDir = path.join(dir, 'node_modules', 'typescript', 'bin');
  fs.mkdirSync(tscDir, { recursive: true });
  fs.writeFileSync(
    path.join(tscDir, 'tsc'),
    `const fs = require('node:fs');
const path = require('node:path');
const root = process.cwd();
fs.appendFileSync(path.join(root, 'builds.log'), 'x');
if (fs.existsSync(path.join(root, 'FAIL'))) { console.log('src/main.ts(1,1): error TS1000: broken'); process.exit(2); }
fs.mkdirSync(path.join(root, 'dist', 'src'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', 'src', 'main.js'), '');
`,
  );
  return {
    dir,
    run() {
      const res = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-changed.js')], { encoding: 'utf8' });
      return { status: res.status, stderr: res.stderr };
    },
    builds: () =>
      fs.existsSync(path.join(dir, 'builds.log')) ? fs.readFileSync(path.join(dir, 'builds.log'), 'utf8').length : 0,
  };
}

/** Sets a path's modification time to `msFromNow` from now, so tests never depend on the clock's resolution. */
function touch(target: string, msFromNow: number): void {
  const at = new Date(Date.now() + msFromNow);
  fs.utimesSync(target, at, at);
}

/** Makes every input a minute old and the last build 30 s old: nothing has changed since. */
function settle(dir: string): void {
  const walk = (p: string) => {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    touch(p, -60_000);
  };
  for (const input of ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json']) {
    if (fs.existsSync(path.join(dir, input))) walk(path.join(dir, input));
  }
  touch(path.join(dir, 'dist', '.build-stamp'), -30_000);
}

describe('scripts/build-if-changed.js (what npm start and npm run cli run first)', () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => fs.rmSync(project.dir, { recursive: true, force: true }));

  it('builds when there is no build yet, then not again while nothing changed', () => {
    expect(project.run()).toMatchObject({ status: 0, stderr: expect.stringContaining('no build yet') });
    expect(project.run()).toEqual({ status: 0, stderr: '' });
    expect(project.run().status).toBe(0);
    expect(project.builds()).toBe(1);
  });

  it('builds again when a source file, a migration or the compiler settings change', () => {
    project.run();
    for (const [i, changed] of ['src/picks/pick.ts', 'migrations', 'tsconfig.build.json'].entries()) {
      settle(project.dir);
      touch(path.join(project.dir, changed), 0);
      expect(project.run().stderr).toContain(`${changed.split('/')[0]} changed`);
      expect(project.builds()).toBe(i + 2);
    }
  });

  it('builds again when a source file is deleted (its directory changes)', () => {
    project.run();
    settle(project.dir);
    expect(project.run().stderr).toBe('');
    fs.rmSync(path.join(project.dir, 'src', 'picks', 'pick.ts'));
    project.run();
    expect(project.builds()).toBe(2);
  });

  it('fails with the compiler report on stderr, and tries again next time', () => {
    fs.writeFileSync(path.join(project.dir, 'FAIL'), '');
    const failed = project.run();
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/error TS1000[\s\S]*The build failed/);
    fs.rmSync(path.join(project.dir, 'FAIL'));
    expect(project.run().status).toBe(0);
    expect(project.run().status).toBe(0);
    expect(project.builds()).toBe(2);
  });

  it('does nothing where there are no sources (an image that ships only dist/)', () => {
    fs.rmSync(path.join(project.dir, 'src'), { recursive: true });
    expect(project.run()).toEqual({ status: 0, stderr: '' });
    expect(project.builds()).toBe(0);
  });
});
