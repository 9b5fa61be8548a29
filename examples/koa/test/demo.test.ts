import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('demo over HTTP', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const app = createDemo({ store: createMemoryStore(), secret: 's'.repeat(32) });
    app.silent = true; // the 400s below are expected
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  it('counts visits, signs in with a flash shown once, stores prefs, signs out', async () => {
    const get = client(base);
    const first = await get('/');
    expect(first.status).toBe(200);
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
      get('/api/prefs/layout', { method: 'PUT', body: '{"a":1}' }),
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
    expect((await get('/api/prefs/theme', { method: 'PUT', body: 'not json' })).status).toBe(400);
    expect((await get('/api/prefs/bad%20key', { method: 'PUT', body: '1' })).status).toBe(400);
    expect(
      (await get('/login', { method: 'POST', body: new URLSearchParams({ username: '' }) })).status,
    ).toBe(400);
    const tampered = await fetch(`${base}/api/session`, {
      headers: { cookie: 'sid=AAAA.BBBB; sid=%00' },
    });
    expect(tampered.status).toBe(200);
  });

  it('reads a preference whatever its content type (the page sends JSON, curl -d a form type)', async () => {
    const get = client(base);
    const put = (body: string, type: string) =>
      get('/api/prefs/theme', { method: 'PUT', body, headers: { 'content-type': type } });
    expect((await put('"dark"', 'application/json')).status).toBe(204);
    expect((await put('{"a":[1,2]}', 'application/x-www-form-urlencoded')).status).toBe(204);
    expect((await get('/api/session')).status).toBe(200);
    expect((await (await get('/api/session')).json()).prefs).toEqual({ theme: { a: [1, 2] } });
    expect((await put('{bad', 'application/json')).status).toBe(400);
    expect((await put(`"${'x'.repeat(100_000)}"`, 'text/plain')).status).toBe(413);
    expect((await put(`${'['.repeat(40)}${']'.repeat(40)}`, 'text/plain')).status).toBe(400);
    expect((await put('"\\ud800"', 'text/plain')).status).toBe(400);
    expect((await get('/api/prefs/theme', { method: 'PUT' })).status).toBe(400);
  });

  it('answers unknown routes 404 and wrong methods 405, without a session cookie', async () => {
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.getSetCookie()).toEqual([]);
    const wrong = await fetch(`${base}/login`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });
});
