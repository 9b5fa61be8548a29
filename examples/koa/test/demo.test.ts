import { createServer, type Server } from 'node:http';
import { createMemoryStore } from '@sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeServer,
  DEMO_HTTP_CHECKS,
  loopbackBase,
} from '../../shared/src/testing/demo-http-flow.js';
import { createDemo } from '../src/app.js';

describe('demo over HTTP (Koa)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const app = createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) });
    app.silent = true; // the 400s the checks send are expected
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = loopbackBase(server);
  });
  afterAll(() => closeServer(server));

  for (const [name, check] of Object.entries(DEMO_HTTP_CHECKS)) it(name, () => check(base));

  it('answers a known route with the wrong method 405 (router.allowedMethods), without a cookie', async () => {
    const wrong = await fetch(`${base}/login`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });
});
