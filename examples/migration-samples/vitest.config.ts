import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'migration-samples',
    include: ['test/**/*.test.ts'],
  },
});
