import { defineProject } from 'vitest/config';

/**
 * Fault scenarios under HTTP load. Each file starts its own redis-server processes and/or uses the
 * shared Postgres, kills things on purpose and waits out store deadlines, so files run one at a
 * time (`fileParallelism: false`: Vitest's sequential group), in forks so a crashed worker takes
 * its children down with it, with timeouts sized for a loaded 2-core machine.
 */
export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'faults',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
