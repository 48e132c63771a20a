/** Tests are TypeScript compiled by SWC (fast, no type-check: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Says once, after the summary, why tests were skipped (they need PostgreSQL) when TEST_DATABASE_URL is unset.
  reporters: ['default', '<rootDir>/test/helpers/skip-reason-reporter.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
