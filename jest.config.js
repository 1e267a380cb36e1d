/**
 * Two projects: `unit` (pure functions, no broker) and `integration` (against the project's own
 * Kafka broker, started by test/global-setup.ts through the same code as `npm run broker:start`),
 * which also runs the fast reliability tests (test/reliability/fast/). `npm test` runs both; the
 * long reliability runs have their own config (test/reliability/jest.config.js).
 */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] }

/** @type {import('jest').Config} */
module.exports = {
  // Only honoured at the top level (inside `projects` Jest ignores it); unit tests finish far below it.
  testTimeout: 60000,
  // Two files at a time: most integration time is spent waiting on brokers, timeouts and restarts, not
  // on this machine's two cores. Files that share a server they stop or kill (the cluster's suites, the
  // identity provider's) are grouped into one file each, so they never overlap.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts']
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/reliability/fast/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanup.ts']
    }
  ]
}
