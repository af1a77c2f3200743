/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only: `tsc --noEmit` (npm run typecheck) is the type gate.
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // Jest's default leaves one core idle (one worker on this 2-core machine); the main
  // process mostly waits, so a worker per core finishes sooner.
  maxWorkers: '100%',
};
