import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'store-postgres',
    include: ['test/**/*.test.ts'],
    // Every test talks to a real Postgres; the fault tests wait out deadlines on purpose.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
