import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: { name: 'example-express', include: ['test/**/*.test.ts'] },
});
