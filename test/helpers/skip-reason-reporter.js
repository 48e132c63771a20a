/**
 * A Jest reporter that says, once per run, why tests were skipped when TEST_DATABASE_URL is unset: Jest itself
 * prints only "N skipped". Plain JavaScript because Jest loads reporters without transforming them.
 */
const path = require('node:path');

const tests = (n) => `${n} test${n === 1 ? '' : 's'}`;

/** The reason, with the count in the fault suite and elsewhere (race tests). */
function skipReason(faults, races) {
  const parts = [];
  if (faults > 0) parts.push(`${faults} in the fault suite (test/faults: real bot processes against PostgreSQL)`);
  if (races > 0)
    parts.push(
      `${tests(races).replace('test', 'race test')} (PGlite runs one transaction at a time, so they could not fail)`,
    );
  return [
    `${tests(faults + races)} skipped because TEST_DATABASE_URL is unset: ${parts.join('; ')}.`,
    'They need a real PostgreSQL server; to run them:',
    '  TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test',
  ].join('\n');
}

class SkipReasonReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    if (process.env.TEST_DATABASE_URL) return;
    const faultsDir = path.join(this.rootDir, 'test', 'faults') + path.sep;
    let faults = 0;
    let races = 0;
    for (const file of results.testResults) {
      const skipped = file.testResults.filter((t) => t.status === 'pending').length;
      if (file.testFilePath.startsWith(faultsDir)) faults += skipped;
      else races += skipped;
    }
    if (faults + races > 0) process.stderr.write(`\n${skipReason(faults, races)}\n`);
  }
}

module.exports = SkipReasonReporter;
