import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: { name: 'example-shared', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
