/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig has isolatedModules, so ts-jest only transpiles; type checking is `npm run lint` (tsc --noEmit).
    '^.+\\.ts$': ['ts-jest', {}],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The package's public entry points, as a consumer imports them (package.json "exports").
  moduleNameMapper: {
    '^platform-blueprints$': '<rootDir>/constructs/index.ts',
    '^platform-blueprints/pulumi$': '<rootDir>/src/pulumi/api.ts',
    '^platform-blueprints/testing$': '<rootDir>/src/testing/index.ts',
    '^platform-blueprints/kratix-pipeline$': '<rootDir>/src/kratix/pipeline.ts',
  },
  cacheDirectory: '<rootDir>/.jest-cache',
  // The schema registry is loaded once per worker; two workers match the CI machine.
  maxWorkers: 2,
  // Every test that did not run is listed by name after the summary (a skip is never silent).
  reporters: ['default', '<rootDir>/test/support/skip-reporter.js'],
  // The first test of a worker loads the schema registry and synthesizes; on a cold cache on a busy 2-core machine
  // that can pass jest's 5 s default. The timeout guards against hangs; speed is measured by `npm run bench`.
  testTimeout: 30000,
};
