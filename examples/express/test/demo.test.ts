import { createServer, type Server } from 'node:http';
import { createMemoryStore, type SessionStore } from '@sessions/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeServer,
  DEMO_HTTP_CHECKS,
  loopbackBase,
} from '../../shared/src/testing/demo-http-flow.js';
import { createDemo } from '../src/app.js';

async function serve(store: SessionStore): Promise<{ server: Server; base: string }> {
  const server = createServer(createDemo({ store, secret: 's'.repeat(32) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: loopbackBase(server) };
}

describe('demo over HTTP (Express)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    ({ server, base } = await serve(createMemoryStore()));
  });
  afterAll(() => closeServer(server));

  for (const [name, check] of Object.entries(DEMO_HTTP_CHECKS)) it(name, () => check(base));

  it('answers a store outage 503 in plain text, without a stack trace or a cookie', async () => {
    const memory = createMemoryStore();
    const down: SessionStore = {
      ...memory,
      name: 'down',
      capabilities: memory.capabilities,
      load: () => Promise.reject(new Error('connection refused')),
      create: () => Promise.reject(new Error('connection refused')),
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const outage = await serve(down);
    try {
      const reply = await fetch(`${outage.base}/api/prefs/theme`, { method: 'PUT', body: '1' });
      expect(reply.status).toBe(503);
      expect(await reply.text()).toBe('Service Unavailable\n');
      expect(reply.headers.getSetCookie()).toEqual([]);
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
      await closeServer(outage.server);
    }
  });
});
