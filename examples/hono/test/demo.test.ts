import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createMemoryStore } from '@sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

/** A tiny cookie-keeping client over real HTTP. */
function client(base: string) {
  let cookie = '';
  return async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      cookie = /Max-Age=0/.test(line) ? '' : pair;
    }
    return response;
  };
}

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
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts visits, signs in with a flash shown once, stores prefs, signs out', async () => {
    const get = client(base);
    const first = await get('/');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.getSetCookie()[0]).toMatch(/^sid=.+; HttpOnly; Secure; SameSite=Lax$/);
    expect(await (await get('/')).text()).toContain('<strong id="views">2</strong>');

    const login = await get('/login', {
      method: 'POST',
      body: new URLSearchParams({ username: 'ada' }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect(login.headers.getSetCookie()).toHaveLength(1);
    const home = await (await get('/')).text();
    expect(home).toContain('Signed in as ada');
    expect(home).toContain('<strong id="user">ada</strong>');
    expect(await (await get('/')).text()).not.toContain('id="flash"');

    expect((await get('/api/prefs/theme', { method: 'PUT', body: '"dark"' })).status).toBe(204);
    await Promise.all([
      get('/api/prefs/size', { method: 'PUT', body: '17' }),
      get('/api/prefs/layout', { method: 'PUT', body: '{"a":1}' }),
    ]);
    const state = await (await get('/api/session')).json();
    expect(state).toEqual({
      views: 4,
      user: 'ada',
      prefs: { theme: 'dark', size: 17, layout: { a: 1 } },
    });
    expect(JSON.stringify(state)).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(await (await get('/')).text()).toContain('data-theme="dark"');

    const logout = await get('/logout', { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^sid=; Path=\/; Max-Age=0/);
    expect(await (await get('/api/session')).json()).toEqual({ views: 0, user: null, prefs: {} });
  });

  it('rejects bad input with 400, never 500', async () => {
    const get = client(base);
    expect((await get('/api/prefs/theme', { method: 'PUT', body: 'not json' })).status).toBe(400);
    expect((await get('/api/prefs/bad%20key', { method: 'PUT', body: '1' })).status).toBe(400);
    const huge = JSON.stringify('x'.repeat(70_000));
    expect((await get('/api/prefs/huge', { method: 'PUT', body: huge })).status).toBe(400);
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    expect((await get('/api/prefs/deep', { method: 'PUT', body: deep })).status).toBe(400);
    expect(
      (await get('/login', { method: 'POST', body: new URLSearchParams({ username: '' }) })).status,
    ).toBe(400);
    expect((await get('/login', { method: 'POST', body: '{"username":"ada"}' })).status).toBe(400);
    const tampered = await fetch(`${base}/api/session`, {
      headers: { cookie: 'sid=AAAA.BBBB; sid=%00' },
    });
    expect(tampered.status).toBe(200);
    expect(tampered.headers.getSetCookie()).toEqual([]);
  });

  it('keeps preference keys such as __proto__ as plain data', async () => {
    const get = client(base);
    expect((await get('/api/prefs/__proto__', { method: 'PUT', body: '{"x":1}' })).status).toBe(
      204,
    );
    const state = (await (await get('/api/session')).json()) as { prefs: object };
    expect(Object.getOwnPropertyNames(state.prefs)).toEqual(['__proto__']);
  });
});
