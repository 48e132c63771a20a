import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli';
import { EXEC_CHANNEL, testEnv } from './helpers/config';
import { TEST_DATABASE_URL } from './helpers/env';
import { type FakeSlack, startFakeSlack } from './helpers/fake-slack';
import { FakeTerminal } from './helpers/fake-terminal';
import { createTestDb, type TestDb } from './helpers/test-db';

/** Runs the CLI as an operator would, capturing what it prints (and its progress line, given a terminal). */
async function cli(args: string[], env: NodeJS.ProcessEnv, terminal?: FakeTerminal) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
    terminal,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run cli', () => {
  let dir: string;
  let slack: FakeSlack;
  let pgDb: TestDb | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-cli-'));
    slack = await startFakeSlack();
    // On Postgres the CLI gets its own fresh database; otherwise a fresh embedded one in a temp dir.
    pgDb = TEST_DATABASE_URL ? await createTestDb() : undefined;
    env = testEnv({
      SLACK_API_URL: slack.url,
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: pgDb?.url,
      LOG_LEVEL: 'silent',
    });
  }, 60_000);
  afterAll(async () => {
    await slack.close();
    await pgDb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints help, and refuses unknown commands and bad flags with usage', async () => {
    const help = await cli(['help'], env);
    expect(help.code).toBe(0);
    for (const name of ['migrate', 'import FILE.csv', 'pick [--date']) expect(help.out).toContain(name);
    const unknown = await cli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Unknown command "frobnicate"');
    const badFlag = await cli(['pick', '--when', 'today'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/Unknown option '--when'[\s\S]*Usage: npm run cli -- pick/);
    const badDate = await cli(['pick', '--date', '2026-02-30'], env);
    expect(badDate.code).toBe(2);
    expect(badDate.err).toContain('--date must be a real date');
  });

  it('reports every missing setting at once for commands that need them', async () => {
    const res = await cli(['pick'], { DATA_DIR: path.join(dir, 'other') });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/EXEC_CHANNEL[\s\S]*LEADERSHIP_CHANNEL[\s\S]*EXECUTIVES[\s\S]*SUPPORT_LEADS/);
  });

  it('migrates, and a second run has nothing to do', async () => {
    const first = await cli(['migrate'], env);
    expect(first.code).toBe(0);
    const second = await cli(['migrate'], env);
    expect(second.out).toMatch(/Already up to date/);
  }, 60_000);

  it('imports a CSV once, refuses a file with invalid rows by line, and skips them on request', async () => {
    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(
      good,
      'externalId,subject,priority,customer.name,customer.email,customer.phone\n' +
        'C-1,Invoice wrong,urgent,Ada,ada@example.com,+14155550100\n' +
        'C-2,Login broken,high,Bob,bob@example.com,\n' +
        'C-3,Typo on page,low,Cy,,\n',
    );
    const first = await cli(['import', good], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/2 created/);
    const again = await cli(['import', good], env);
    expect(again.out).toMatch(/0 created/);
    expect(again.out).toMatch(/2 duplicate/);

    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      bad,
      'externalId,subject,priority,customer.name,customer.email\n' +
        'D-1,Fine,urgent,Dee,dee@example.com\n' +
        'D-2,Bad email,urgent,Eve,not-an-email\n',
    );
    const refused = await cli(['import', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('line 3, customer.email');
    const skipped = await cli(['import', bad, '--skip-invalid'], env);
    // Distinct from 1 (nothing imported): the valid rows are in, and a script can still see rows were refused.
    expect(skipped.code).toBe(3);
    expect(skipped.out).toMatch(/1 created/);
    expect(skipped.out).toContain('line 3, customer.email');
    const clean = await cli(['import', good, '--skip-invalid'], env);
    expect(clean.code).toBe(0);

    const missing = await cli(['import', path.join(dir, 'nope.csv')], env);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read');
  }, 60_000);

  it("draws the import's progress on stderr when it is a terminal, and nothing when it is not", async () => {
    const file = path.join(dir, 'progress.csv');
    fs.writeFileSync(
      file,
      'externalId,subject,priority,customer.name\nPR-1,Broken,urgent,Ann\nPR-2,,urgent,Bo\nPR-3,Slow,high,Cy\n',
    );

    const terminal = new FakeTerminal(true);
    const drawn = await cli(['import', file, '--skip-invalid'], env, terminal);
    expect(drawn.code).toBe(3);
    expect(terminal.lastDrawn).toMatch(/^=+ 100% \| 3 rows read, 2 imported, 1 refused \| [\d,]+ rows\/s$/);
    // The report itself goes to stdout, as without a terminal.
    expect(drawn.out).toMatch(/^Imported 3 rows: 2 created/);

    const pipe = new FakeTerminal(false);
    const quiet = await cli(['import', file, '--skip-invalid'], env, pipe);
    expect(quiet.out).toMatch(/^Imported 3 rows: 0 created, 2 duplicates/);
    expect(pipe.written).toBe('');
  }, 60_000);

  it('picks for a date once, posts it, and says so on a second run', async () => {
    const pool = path.join(dir, 'pool.csv');
    fs.writeFileSync(pool, 'externalId,subject,priority,customer.name\nP-1,Export failing,urgent,Pat\n');
    expect((await cli(['import', pool], env)).code).toBe(0);
    const first = await cli(['pick', '--date', '2026-11-21'], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Picked complaint \d+ for 2026-11-21: 1 of \d+ eligible/);
    expect(first.out).toMatch(/1 message\(s\) delivered/);
    const [post] = slack.callsTo('chat.postMessage');
    expect(post?.args.channel).toBe(EXEC_CHANNEL);
    const second = await cli(['pick', '--date', '2026-11-21'], env);
    expect(second.code).toBe(0);
    expect(second.out).toContain('already picked');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  }, 60_000);
});
