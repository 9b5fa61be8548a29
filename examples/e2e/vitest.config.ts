import { defineProject } from 'vitest/config';

/**
 * Browser tests: each file starts demo servers as child processes and drives one headless
 * Chromium. That is heavy on a 2-core machine, so files run one at a time (`fileParallelism:
 * false` puts them in Vitest's sequential group, after the other projects' files), in forks so a
 * crashed worker takes its children down with it.
 */
export default defineProject({
  test: {
    name: 'e2e',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
