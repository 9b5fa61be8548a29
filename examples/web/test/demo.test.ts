import { createMemoryStore } from '@sessions/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  closeServer,
  DEMO_HTTP_CHECKS,
  loopbackBase,
} from '../../shared/src/testing/demo-http-flow.js';
import { createDemo } from '../src/app.js';
import { serveNode } from '../src/serve-node.js';

describe('demo over HTTP (node:http)', () => {
  let server: Awaited<ReturnType<typeof serveNode>>;
  let base = '';
  beforeAll(async () => {
    server = await serveNode(createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) }), 0);
    base = loopbackBase(server);
  });
  afterAll(() => closeServer(server));

  for (const [name, check] of Object.entries(DEMO_HTTP_CHECKS)) it(name, () => check(base));
});
