/**
 * Three projects so the output names where each test file ran. Type checking is
 * done once by `npm run typecheck`; ts-jest only transpiles (tsconfig has
 * isolatedModules, which makes ts-jest use per-file transpilation).
 *
 * jose (JWT) ships ESM only, which jest's CommonJS runtime cannot load, so its
 * files are transpiled to CommonJS too instead of being ignored like the rest
 * of node_modules.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  '^.+/node_modules/jose/.+\\.js$': [
    'ts-jest',
    { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } },
  ],
};
const base = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  verbose: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // a global option in jest 30 (ignored inside projects): Temporal tests run minutes of setup on 2 cores
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      // resolves the Temporal binaries once, before parallel test files need them
      globalSetup: '<rootDir>/test/workflows/global-setup.ts',
      testTimeout: 120000,
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // one in-memory dev server shared by all integration files
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
      testTimeout: 120000,
    },
  ],
};
