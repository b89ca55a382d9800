// TypeScript is transformed by SWC (fast, no type check: `npm run typecheck` runs tsc --noEmit).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // Jest loads zod's CommonJS build; the locale lib/zod.ts imports by its ESM path needs the same.
  moduleNameMapper: { '^zod/v4/locales/(.*)\\.js$': 'zod/v4/locales/$1.cjs' },
  testTimeout: 60000,
  // Real servers run in child processes: two workers match the two cores of the CI machine.
  maxWorkers: 2,
};
