import { createMemoryStore } from '@sessions/core';
import type { FastifyInstance } from 'fastify';
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

describe('demo over HTTP', () => {
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    app = createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it('counts visits, signs in with a flash shown once, stores prefs, signs out', async () => {
    const get = client(base);
    const first = await get('/');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.getSetCookie()[0]).toMatch(/^sid=.+; HttpOnly; Secure; SameSite=Lax$/);
    expect(await (await get('/')).text()).toContain('<strong id="views">2</strong>');

    const login = await get('/login', {
      method: 'POST',
      body: new URLSearchParams({ username: 'ada' }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const home = await (await get('/')).text();
    expect(home).toContain('Signed in as ada');
    expect(home).toContain('<strong id="user">ada</strong>');
    expect(await (await get('/')).text()).not.toContain('id="flash"');

    expect((await get('/api/prefs/theme', { method: 'PUT', body: '"dark"' })).status).toBe(204);
    await Promise.all([
      get('/api/prefs/size', { method: 'PUT', body: '17' }),
      get('/api/prefs/layout', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      }),
    ]);
    const state = await (await get('/api/session')).json();
    expect(state).toEqual({
      views: 4,
      user: 'ada',
      prefs: { theme: 'dark', size: 17, layout: { a: 1 } },
    });
    expect(JSON.stringify(state)).not.toMatch(/[A-Za-z0-9_-]{43}/);

    const logout = await get('/logout', { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^sid=; Path=\/; Max-Age=0/);
    expect(await (await get('/api/session')).json()).toEqual({ views: 0, user: null, prefs: {} });
  });

  it('rejects bad input with 400, never 500', async () => {
    const get = client(base);
    const put = (path: string, body: string) => get(path, { method: 'PUT', body });
    expect((await put('/api/prefs/theme', 'not json')).status).toBe(400);
    expect((await put('/api/prefs/theme', '')).status).toBe(400);
    expect((await put('/api/prefs/deep', `${'['.repeat(40)}${']'.repeat(40)}`)).status).toBe(400);
    expect((await put('/api/prefs/huge', JSON.stringify('x'.repeat(70_000)))).status).toBe(413);
    expect((await put('/api/prefs/bad%20key', '1')).status).toBe(400);
    expect(
      (await get('/login', { method: 'POST', body: new URLSearchParams({ username: '' }) })).status,
    ).toBe(400);
    expect((await get('/login', { method: 'POST' })).status).toBe(400);
    const tampered = await fetch(`${base}/api/session`, {
      headers: { cookie: 'sid=AAAA.BBBB; sid=%00' },
    });
    expect(tampered.status).toBe(200);
  });
});
