import { defineProject } from 'vitest/config';

/**
 * The runtime suite: the global setup bundles core's tests, the Hono adapter scenarios and a
 * demo server with esbuild; the tests run those bundles on Node 20 (the machine's), Node 24, Bun,
 * Deno and workerd as child processes. Forks, so a crashed worker takes its children down.
 */
export default defineProject({
  // The tests import @sessions/testing's scenario list (for the Redis pass) from its sources.
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
