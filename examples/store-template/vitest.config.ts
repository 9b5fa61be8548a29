import { defineProject } from 'vitest/config';

// In this workspace `@sessions/core` and `@sessions/testing` resolve to their sources (the
// `@sessions/source` condition), so tests never wait for a build. A copy of this template outside
// the workspace drops the condition and gets the published packages.
export default defineProject({
  resolve: { conditions: ['@sessions/source'] },
  ssr: { resolve: { conditions: ['@sessions/source'] } },
  test: {
    name: 'store-template',
    include: ['test/**/*.test.ts'],
  },
});
