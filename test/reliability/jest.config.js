/**
 * The long reliability runs (`npm run test:reliability`): the same scenarios as test/reliability/fast/
 * (part of `npm test`), at full size. Needs the shared broker for tenant churn (started by
 * the same global setup as `npm test` if it is not running); the kill runs use a broker of their own.
 */
const path = require('node:path')

const root = path.resolve(__dirname, '..', '..')

/** @type {import('jest').Config} */
module.exports = {
  rootDir: root,
  displayName: 'reliability',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/reliability/long/**/*.test.ts', '<rootDir>/test/reliability/cluster-faults.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanup.ts'],
  testTimeout: 900000,
  maxWorkers: 1
}
