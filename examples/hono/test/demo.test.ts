import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createMemoryStore } from '@sessions/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { closeServer, DEMO_HTTP_CHECKS } from '../../shared/src/testing/demo-http-flow.js';
import { createDemo } from '../src/app.js';

describe('demo over HTTP (@hono/node-server)', () => {
  let server: ReturnType<typeof serve>;
  let base = '';
  beforeAll(async () => {
    const app = createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve(info.port),
      );
    });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => closeServer(server));

  for (const [name, check] of Object.entries(DEMO_HTTP_CHECKS)) it(name, () => check(base));
});
