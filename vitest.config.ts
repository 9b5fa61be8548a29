import { defineConfig } from 'vitest/config';

/** One root config; every package and example with a `vitest.config.ts` is a project. */
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'suites/*/vitest.config.ts',
    ],
  },
});
