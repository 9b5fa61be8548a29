import { createMemoryStore, createSessionManager, type SessionEvent } from '@sessions/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import defaultExport, { sessions } from '../src/index.js';
import { createTestApp, SECRET, sessionPair, setCookies } from './support/harness.js';

describe('the plugin', () => {
  it('carries fastify-plugin metadata: its name and the Fastify version it needs', () => {
    const meta = sessions as unknown as Record<symbol, unknown>;
    expect(meta[Symbol.for('plugin-meta')]).toMatchObject({
      fastify: '5.x',
      name: '@sessions/fastify',
    });
    expect(meta[Symbol.for('skip-override')]).toBe(true);
    expect(meta[Symbol.for('fastify.display-name')]).toBe('@sessions/fastify');
    expect(defaultExport).toBe(sessions);
  });

  it('is registered app-wide: the name, the request decorator, routes in other plugins', async () => {
    const { app } = createTestApp();
    app.register(async (child) => {
      child.get('/child', async (request) => {
        await request.session.set('from', 'child');
        return { ok: true };
      });
    });
    await app.ready();
    expect(app.hasPlugin('@sessions/fastify')).toBe(true);
    expect(app.hasRequestDecorator('session')).toBe(true);
    expect(sessionPair(setCookies((await app.inject('/child')).headers))).toBeDefined();
    await app.close();
  });

  it('takes a manager built elsewhere, and refuses to be registered twice', async () => {
    const manager = createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });
    const app = Fastify();
    app.register(sessions, { manager });
    app.get('/', async (request) => {
      await request.session.set('n', 1);
      return { ok: true };
    });
    const cookie = sessionPair(setCookies((await app.inject('/')).headers));
    const outside = manager.session(new Headers({ cookie: cookie ?? '' }));
    expect(await outside.get('n')).toBe(1);

    const twice = Fastify();
    twice.register(sessions, { manager });
    twice.register(sessions, { manager });
    await expect(twice.ready()).rejects.toThrow(/session/);
    await app.close();
  });

  it('rejects unsafe options at start-up with MISCONFIGURED', async () => {
    const app = Fastify();
    app.register(sessions, { store: createMemoryStore(), secrets: ['short'] });
    await expect(app.ready()).rejects.toMatchObject({ code: 'MISCONFIGURED' });
  });

  it('passes the request URL, so a Secure cookie over plain HTTP is reported', async () => {
    const events: SessionEvent[] = [];
    const { app } = createTestApp({
      onEvent: (event) => events.push(event),
      fastify: { trustProxy: true },
    });
    app.get('/', async (request) => {
      await request.session.set('n', 1);
      return { ok: true };
    });
    await app.inject({ url: '/', headers: { host: 'shop.example', 'x-forwarded-proto': 'https' } });
    await app.inject({ url: '/', headers: { host: 'localhost:3000' } });
    expect(events.filter((event) => event.type === 'insecure-request')).toEqual([]);
    await app.inject({ url: '/', headers: { host: 'shop.example' } });
    expect(events.filter((event) => event.type === 'insecure-request')).toEqual([
      { type: 'insecure-request', host: 'shop.example' },
    ]);
  });
});
