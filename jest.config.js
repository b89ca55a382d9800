// TypeScript is transformed by SWC (fast, no type check: `npm run typecheck` runs tsc --noEmit).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testTimeout: 60000,
  // Real servers run in child processes: two workers match the two cores of the CI machine.
  maxWorkers: 2,
};
