import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'store-redis',
    include: ['test/**/*.test.ts'],
    // Real servers only: fault and cluster tests start redis-server processes, and the conformance
    // suite waits on Redis's real clock, so allow for a loaded 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
