/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only: `npm test` type-checks everything with tsc before jest runs.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }],
  },
  moduleNameMapper: { '^@shared/(.*)$': '<rootDir>/shared/$1' },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  // Two cores: one worker per core keeps MySQL schemas and Chromium from starving each other.
  maxWorkers: 2,
};
