import { createMemoryStore } from '@sessions/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEMO_HTTP_CHECKS } from '../../shared/src/testing/demo-http-flow.js';
import { createDemo } from '../src/app.js';

describe('demo over HTTP (Fastify)', () => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    app = createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  for (const [name, check] of Object.entries(DEMO_HTTP_CHECKS)) it(name, () => check(base));
});
