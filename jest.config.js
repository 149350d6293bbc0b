// Jest runs in native ESM mode (node --experimental-vm-modules, set in the npm test script) because
// several dependencies (Agenda 6, PGlite, confluence.js) ship only ESM. TypeScript is stripped by SWC.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.cjs',
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker reaches its 'exit' event within 2 ms of Jest's "end" message, but then takes another 0.2-1.5 s to die:
  // tearing down a 1.6-2.3 GB process (measured 2026-12-06), longer on a busy machine. Jest's default 500 ms then calls
  // it "failed to exit gracefully". A handle left open keeps a worker alive forever, so it still shows, 10 s later.
  workerGracefulExitTimeout: 10_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
