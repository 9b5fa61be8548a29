import {
  createMemoryStore,
  createSessionManager,
  isSessionError,
  observeStore,
  SessionError,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import { type AdapterDriver, SCENARIO_SECRET, ScenarioClient } from '@sessions/testing';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { streamText } from 'hono/streaming';
import { afterEach, describe, expect, it } from 'vitest';
import { type HonoSessionOptions, type SessionEnv, sessions } from '../src/index.js';
import { inProcess, overNodeServer } from './support/drivers.js';

type Data = { views: number; user: string; n: number };
type AppEnv = SessionEnv<Data>;

const secrets = [SCENARIO_SECRET];
const drivers: AdapterDriver[] = [];
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.close?.();
});

function app(options: Partial<HonoSessionOptions<Data>> = {}) {
  const hono = new Hono<AppEnv>();
  hono.use(sessions<Data>({ store: createMemoryStore(), secrets, ...options }));
  return hono;
}

/** A memory store whose calls throw while `failOn(operation)` says so. */
function failingStore(failOn: (operation: StoreOperation) => boolean): SessionStore {
  const inner = createMemoryStore();
  const guard = <T>(operation: StoreOperation, run: () => T): T => {
    if (failOn(operation)) throw new Error('store is down');
    return run();
  };
  return {
    name: 'failing',
    capabilities: inner.capabilities,
    load: (key) => guard('load', () => inner.load(key)),
    create: (key, record) => guard('create', () => inner.create(key, record)),
    patch: (key, patch) => guard('patch', () => inner.patch(key, patch)),
    touch: (key, at) => guard('touch', () => inner.touch(key, at)),
    rotate: (from, to, patch) => guard('rotate', () => inner.rotate(from, to, patch)),
    destroy: (key) => guard('destroy', () => inner.destroy(key)),
  };
}

const serve = {
  'app.request': async (hono: Hono<AppEnv>) => inProcess(hono),
  '@hono/node-server': async (hono: Hono<AppEnv>) => {
    const driver = await overNodeServer(hono);
    drivers.push(driver);
    return driver;
  },
};

describe.each(Object.entries(serve))('a short visit through %s', (_name, start) => {
  it('signs in with a redirect, counts, signs out', async () => {
    const hono = app();
    hono.post('/login', async (c) => {
      await c.var.session.regenerate({ keep: [] });
      await c.var.session.set('user', 'ada');
      return c.redirect('/', 303);
    });
    hono.get('/count', async (c) => {
      const views = ((await c.var.session.get('views')) ?? 0) + 1;
      await c.var.session.set('views', views);
      return c.json({ views, user: (await c.var.session.get('user')) ?? null });
    });
    hono.post('/logout', async (c) => {
      await c.var.session.destroy();
      return c.redirect('/', 303);
    });
    const client = new ScenarioClient(await start(hono));
    const login = await client.send('POST', '/login');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect(login.setCookies).toHaveLength(1);
    expect((await client.send('GET', '/count')).json).toEqual({ views: 1, user: 'ada' });
    expect((await client.send('GET', '/count')).json).toEqual({ views: 2, user: 'ada' });
    const logout = await client.send('POST', '/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=; .*Max-Age=0/);
    expect(client.cookies.has('sid')).toBe(false);
    expect((await client.send('GET', '/count')).json).toEqual({ views: 1, user: null });
  });

  it('streams a body after a write, with the cookie on the response', async () => {
    const hono = app();
    hono.get('/text', async (c) => {
      await c.var.session.set('n', 1);
      return streamText(c, async (stream) => {
        await stream.write('one ');
        await stream.sleep(5);
        await stream.write('two');
      });
    });
    hono.get('/body', async (c) => {
      await c.var.session.set('n', 2);
      const chunks = ['a', 'b', 'c'];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      return c.body(body, 200, { 'content-type': 'text/plain' });
    });
    const driver = await start(hono);
    const text = await driver.fetch(new Request('http://localhost/text'));
    expect(text.headers.getSetCookie()).toEqual([expect.stringMatching(/^sid=/)]);
    expect(await text.text()).toBe('one two');
    const body = await driver.fetch(new Request('http://localhost/body'));
    expect(body.headers.getSetCookie()).toEqual([expect.stringMatching(/^sid=/)]);
    expect(await body.text()).toBe('abc');
  });
});

describe('redirects and immutable responses', () => {
  it('c.redirect keeps the Set-Cookie, next to cookies the handler set itself', async () => {
    const hono = app();
    hono.post('/go', async (c) => {
      await c.var.session.set('user', 'ada');
      setCookie(c, 'theme', 'dark');
      return c.redirect('/next');
    });
    const reply = await new ScenarioClient(inProcess(hono)).send('POST', '/go');
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/next');
    expect(reply.setCookies).toEqual([
      'theme=dark; Path=/',
      expect.stringMatching(/^sid=[^;]+; Path=\/; .*HttpOnly; Secure; SameSite=Lax/),
    ]);
  });

  it('adds the cookie to responses with immutable headers (Response.redirect, fetch)', async () => {
    const upstream = new Hono();
    upstream.get('/', (c) => {
      setCookie(c, 'upstream', '1');
      return c.text('from upstream');
    });
    const origin = await overNodeServer(upstream);
    drivers.push(origin);
    const hono = app();
    hono.post('/static-redirect', async (c) => {
      await c.var.session.set('n', 1);
      return Response.redirect('http://localhost/next', 303);
    });
    hono.get('/proxy', async (c) => {
      await c.var.session.set('n', 2);
      return origin.fetch(new Request('http://localhost/'));
    });
    const client = new ScenarioClient(inProcess(hono));
    const redirect = await client.send('POST', '/static-redirect');
    expect(redirect.status).toBe(303);
    expect(redirect.setCookies).toEqual([expect.stringMatching(/^sid=/)]);
    // A new visitor, so this write creates a session and issues its cookie.
    const proxied = await new ScenarioClient(inProcess(hono)).send('GET', '/proxy');
    expect(proxied.setCookies).toEqual(['upstream=1; Path=/', expect.stringMatching(/^sid=/)]);
  });
});

describe('untouched sessions', () => {
  it('a handler that never touches the session gets no Set-Cookie and costs no store call', async () => {
    const calls: StoreOperation[] = [];
    const hono = app({ store: observeStore(createMemoryStore(), (op) => calls.push(op)) });
    hono.get('/plain', (c) => c.text('hi'));
    hono.get('/own-cookie', (c) => {
      setCookie(c, 'theme', 'dark');
      return c.text('hi');
    });
    const client = new ScenarioClient(inProcess(hono));
    client.cookies.set('sid', 'x'.repeat(43));
    expect((await client.send('GET', '/plain')).setCookies).toEqual([]);
    expect((await client.send('GET', '/own-cookie')).setCookies).toEqual(['theme=dark; Path=/']);
    expect(calls).toEqual([]);
  });
});

describe('per-request store (Workers bindings)', () => {
  type BoundEnv = AppEnv & { Bindings: { SESSIONS: SessionStore } };

  function boundApp(options: HonoSessionOptions<Data, BoundEnv>) {
    const hono = new Hono<BoundEnv>();
    hono.use(sessions(options));
    hono.put('/n/:n', async (c) => {
      await c.var.session.set('n', Number(c.req.param('n')));
      return c.body(null, 204);
    });
    hono.get('/n', async (c) => c.json({ n: (await c.var.session.get('n')) ?? null }));
    hono.get('/plain', (c) => c.text('hi'));
    return hono;
  }

  it('storeFor picks the store from c.env for each request; the default store is unused', async () => {
    const fallback = createMemoryStore();
    const a = createMemoryStore();
    const b = createMemoryStore();
    const hono = boundApp({ store: fallback, secrets, storeFor: (c) => c.env.SESSIONS });
    const created = await hono.request('/n/7', { method: 'PUT' }, { SESSIONS: a });
    const cookie = (created.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    expect([a.size, b.size, fallback.size]).toEqual([1, 0, 0]);
    const read = (store: SessionStore) =>
      hono.request('/n', { headers: { cookie } }, { SESSIONS: store });
    expect(await (await read(a)).json()).toEqual({ n: 7 });
    expect(await (await read(b)).json()).toEqual({ n: null });
  });

  it('storeFor needs no manager store at all (Workers: the store exists only per request)', async () => {
    const perRequest = createMemoryStore();
    const hono = boundApp({ secrets, storeFor: (c) => c.env.SESSIONS });
    const created = await hono.request('/n/3', { method: 'PUT' }, { SESSIONS: perRequest });
    expect(created.status).toBe(204);
    expect(perRequest.size).toBe(1);
  });

  it('works with a shared manager, and an untouched request still makes no store call', async () => {
    const calls: StoreOperation[] = [];
    const bound = observeStore(createMemoryStore(), (op) => calls.push(op));
    const manager = createSessionManager<Data>({ store: createMemoryStore(), secrets });
    const hono = boundApp({ manager, storeFor: (c) => c.env.SESSIONS });
    const created = await hono.request('/n/1', { method: 'PUT' }, { SESSIONS: bound });
    expect(calls).toEqual(['create']);
    const cookie = (created.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    calls.length = 0;
    const plain = await hono.request('/plain', { headers: { cookie } }, { SESSIONS: bound });
    expect(plain.headers.getSetCookie()).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('errors go through Hono', () => {
  function errorApp(store: SessionStore) {
    const seen: unknown[] = [];
    const hono = app({ store });
    hono.onError((error, c) => {
      seen.push(error, c.error);
      const status = isSessionError(error) ? error.status : 500;
      return c.json({ code: isSessionError(error) ? error.code : 'other' }, status as 503);
    });
    hono.put('/n', async (c) => {
      await c.var.session.set('n', 1);
      return c.json({ ok: true });
    });
    hono.get('/n', async (c) => c.json({ n: (await c.var.session.get('n')) ?? null }));
    hono.post('/redirect', async (c) => {
      await c.var.session.set('n', 2);
      return c.redirect('/');
    });
    return { hono, seen };
  }

  it('a store outage while the handler reads reaches onError as STORE_UNAVAILABLE', async () => {
    let down = false;
    const { hono, seen } = errorApp(failingStore(() => down));
    const client = new ScenarioClient(inProcess(hono));
    await client.send('PUT', '/n');
    down = true;
    const reply = await client.send('GET', '/n');
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ code: 'STORE_UNAVAILABLE' });
    expect(reply.setCookies).toEqual([]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(SessionError);
    expect(seen[1]).toBe(seen[0]);
  });

  it('a failing commit (after next()) reaches onError, with no cookie and no redirect followed', async () => {
    const { hono, seen } = errorApp(failingStore((op) => op === 'create'));
    const client = new ScenarioClient(inProcess(hono));
    const write = await client.send('PUT', '/n');
    expect(write.status).toBe(503);
    expect(write.json).toEqual({ code: 'STORE_UNAVAILABLE' });
    expect(write.setCookies).toEqual([]);
    expect(isSessionError(seen[0], 'STORE_UNAVAILABLE')).toBe(true);
    const redirect = await client.send('POST', '/redirect');
    expect(redirect.status).toBe(503);
    expect(redirect.setCookies).toEqual([]);
  });

  it('without onError, a failing commit answers 503 through the SessionError response', async () => {
    const hono = app({ store: failingStore((op) => op === 'create') });
    hono.put('/n', async (c) => {
      await c.var.session.set('n', 1);
      return c.json({ ok: true });
    });
    const response = await hono.request('/n', { method: 'PUT' });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('STORE_UNAVAILABLE\n');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('two different valid session cookies reach onError as AMBIGUOUS_SESSION (400)', async () => {
    const { hono } = errorApp(createMemoryStore());
    const first = new ScenarioClient(inProcess(hono));
    const second = new ScenarioClient(inProcess(hono));
    await first.send('PUT', '/n');
    await second.send('PUT', '/n');
    const reply = await first.send('GET', '/n', undefined, {
      cookie: `sid=${first.cookies.get('sid')}; sid=${second.cookies.get('sid')}`,
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ code: 'AMBIGUOUS_SESSION' });
  });
});

describe('commitOnError', () => {
  function throwingApp(commitOnError: boolean) {
    const store = createMemoryStore();
    const hono = app({ store, commitOnError });
    hono.onError((_error, c) => c.text('failed', 500));
    hono.put('/error', async (c) => {
      await c.var.session.set('n', 1);
      throw new Error('handler failed');
    });
    hono.put('/not-an-error', async (c) => {
      await c.var.session.set('n', 2);
      throw 'not an Error'; // Hono's compose rethrows non-Errors instead of calling onError.
    });
    return { hono, store };
  }

  it('off (default): a failed handler commits nothing', async () => {
    const { hono, store } = throwingApp(false);
    const response = await hono.request('/error', { method: 'PUT' });
    expect(response.status).toBe(500);
    expect(response.headers.getSetCookie()).toEqual([]);
    await expect(hono.request('/not-an-error', { method: 'PUT' })).rejects.toBe('not an Error');
    expect(store.size).toBe(0);
  });

  it('off: a thrown error is a failure even when onError answers it with a 4xx', async () => {
    const store = createMemoryStore();
    const hono = app({ store });
    hono.onError((_error, c) => c.text('bad input', 400));
    hono.put('/invalid', async (c) => {
      await c.var.session.set('n', 1);
      throw new Error('validation failed');
    });
    const response = await hono.request('/invalid', { method: 'PUT' });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('on: the write is committed and the error response carries the cookie', async () => {
    const { hono, store } = throwingApp(true);
    const response = await hono.request('/error', { method: 'PUT' });
    expect(response.status).toBe(500);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^sid=/)]);
    expect(store.size).toBe(1);
    await expect(hono.request('/not-an-error', { method: 'PUT' })).rejects.toBe('not an Error');
    expect(store.size).toBe(2);
  });
});
