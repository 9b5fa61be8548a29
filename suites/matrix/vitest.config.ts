import { defineProject } from 'vitest/config';

/**
 * The adapter × store matrix: every adapter scenario on Hono, Fastify, Koa and Express over the real Redis,
 * Postgres and layered stores. One file per store; each isolates itself (a key prefix per scenario,
 * a schema per run) and removes what it wrote. Forks, generous timeouts for a loaded 2-core box.
 */
export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'matrix',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
