/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Unit tests of pure rules live beside them (server/**/x.test.ts); the rest under test/.
  roots: ['<rootDir>/test', '<rootDir>/server', '<rootDir>/shared'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // esbuild strips the types (as tsx does for the server); `npm test` type-checks with tsc first.
    '^.+\\.ts$': '<rootDir>/test/helpers/esbuild-transform.js',
  },
  moduleNameMapper: { '^@shared/(.*)$': '<rootDir>/shared/$1' },
  testTimeout: 30000,
  // One migrated database per run, copied into each test's scratch database (test/helpers/template-database.ts).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  // Three workers on two cores: a file waits part of its time (Chromium's frames, a WeCom deadline
  // the simulator runs out, MariaDB's commits); with two workers the cores were ~35% idle over a
  // fresh-clone run, and three cut Jest from 758 s to 654 s (README, Tests).
  maxWorkers: 3,
};
