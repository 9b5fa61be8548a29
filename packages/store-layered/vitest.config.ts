import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'store-layered',
    include: ['test/**/*.test.ts'],
    // Real servers only: the conformance suite waits on Redis's and Postgres's real clocks, and the
    // outage tests start, kill and restart a redis-server of their own.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
