import { createMemoryStore, type SessionEvent } from '@sessions/core';
import { type AdapterDriver, SCENARIO_SECRET, ScenarioClient } from '@sessions/testing';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type HonoSessionOptions, type SessionEnv, sessions } from '../src/index.js';
import { inProcess, overNodeServer } from './support/drivers.js';

type Data = { n: number };

const drivers: AdapterDriver[] = [];
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.close?.();
});

function app(options: Partial<HonoSessionOptions<Data>>, events: SessionEvent[] = []) {
  const hono = new Hono<SessionEnv<Data>>();
  hono.use(
    sessions<Data>({
      store: createMemoryStore(),
      secrets: [SCENARIO_SECRET],
      binding: { ip: true },
      onEvent: (event) => events.push(event),
      ...options,
    }),
  );
  hono.get('/n', async (c) => c.json({ n: (await c.var.session.get('n')) ?? null }));
  hono.put('/n', async (c) => {
    await c.var.session.set('n', 1);
    return c.json({ ok: true });
  });
  hono.onError((error, c) => c.json({ error: (error as { code?: string }).code }, 500));
  return hono;
}

describe('hono: the client address for client binding', () => {
  it('defaults to the connection peer on @hono/node-server', async () => {
    const seen: (string | undefined)[] = [];
    const driver = await overNodeServer(
      app({
        binding: {
          fingerprint: (request) => {
            seen.push(request.clientAddress());
            return '';
          },
        },
      }),
    );
    drivers.push(driver);
    const client = new ScenarioClient(driver);
    expect((await client.send('PUT', '/n')).status).toBe(200);
    expect(seen).toEqual(['127.0.0.1']);
    expect((await client.send('GET', '/n')).json).toEqual({ n: 1 });
  });

  it('binds to it: the session opens again from the same connection address', async () => {
    const events: SessionEvent[] = [];
    const driver = await overNodeServer(app({}, events));
    drivers.push(driver);
    const client = new ScenarioClient(driver);
    await client.send('PUT', '/n');
    expect((await client.send('GET', '/n')).json).toEqual({ n: 1 });
    expect(events.some((event) => event.type === 'session-binding-mismatch')).toBe(false);
  });

  it('without a connection (app.request, Workers) ip binding fails with MISCONFIGURED, never unbound', async () => {
    const client = new ScenarioClient(inProcess(app({})));
    expect((await client.send('PUT', '/n')).json).toEqual({ error: 'MISCONFIGURED' });
  });

  it('takes the clientAddress option instead, e.g. a header only the own proxy sets', async () => {
    const driver = inProcess(app({ clientAddress: (c) => c.req.header('cf-connecting-ip') }));
    const client = new ScenarioClient(driver);
    await client.send('PUT', '/n', undefined, { 'cf-connecting-ip': '203.0.113.7' });
    const same = await client.send('GET', '/n', undefined, { 'cf-connecting-ip': '203.0.113.7' });
    expect(same.json).toEqual({ n: 1 });
    const other = await client.send('GET', '/n', undefined, { 'cf-connecting-ip': '203.0.113.8' });
    expect(other.json).toEqual({ n: null });
  });
});
