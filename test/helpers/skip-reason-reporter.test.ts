import path from 'node:path';

// Jest loads reporters untransformed, so the reporter is CommonJS; required here as Jest requires it.
const SkipReasonReporter = require('./skip-reason-reporter.js') as new (globalConfig: {
  rootDir: string;
}) => { onRunComplete(contexts: unknown, results: unknown): void };

const ROOT = path.resolve(__dirname, '../..');

/** A run's results as Jest hands them to reporters: per file, each test's status. */
function results(files: Record<string, string[]>) {
  return {
    testResults: Object.entries(files).map(([file, statuses]) => ({
      testFilePath: path.join(ROOT, file),
      testResults: statuses.map((status) => ({ status })),
    })),
  };
}

describe('the skip-reason reporter', () => {
  const saved = process.env.TEST_DATABASE_URL;
  let written: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    spy.mockRestore();
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  });

  const run = (files: Record<string, string[]>) =>
    new SkipReasonReporter({ rootDir: ROOT }).onRunComplete(new Set(), results(files));

  it('says once why tests were skipped, counting the fault suite and the race tests, when TEST_DATABASE_URL is unset', () => {
    delete process.env.TEST_DATABASE_URL;
    run({
      'test/faults/crash-recovery.test.ts': ['pending', 'pending'],
      'test/faults/authorization.test.ts': ['pending'],
      'test/e2e/claims.test.ts': ['passed', 'pending'],
      'test/config.test.ts': ['passed'],
    });
    expect(written).toHaveLength(1);
    const text = written.join('');
    expect(text).toContain('4 tests skipped because TEST_DATABASE_URL is unset');
    expect(text).toContain('3 in the fault suite');
    expect(text).toContain('1 race test (PGlite');
    expect(text).toContain('TEST_DATABASE_URL=postgres://');
  });

  it('says nothing when nothing was skipped, or when the run was on PostgreSQL', () => {
    delete process.env.TEST_DATABASE_URL;
    run({ 'test/config.test.ts': ['passed'] });
    process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
    run({ 'test/faults/crash-recovery.test.ts': ['pending'] });
    expect(written).toEqual([]);
  });
});
