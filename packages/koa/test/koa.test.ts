import { Readable } from 'node:stream';
import {
  createMemoryStore,
  observeStore,
  type SessionEvent,
  type SessionManagerOptions,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import { sessionCookie } from '@sessions/testing';
import Koa from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it } from 'vitest';
import { sessions } from '../src/index.js';
import { type KoaConstructor, type Listening, listen } from './koa-driver.js';

const SECRET = 'koa-adapter-tests-secret-0123456789abcdef';

/** A cookie header from a response's session cookie. */
const cookieOf = (response: Response) =>
  sessionCookie(response.headers.getSetCookie())?.split(';')[0] ?? '';

/** A store whose writes fail while `failing.writes` is true (loads keep working). */
function failingWrites(store: SessionStore) {
  const failing = { writes: false };
  const guard = <T>(run: () => T): T => {
    if (failing.writes) throw new Error('store refuses writes');
    return run();
  };
  const wrapped: SessionStore = {
    name: 'failing-writes',
    capabilities: store.capabilities,
    load: (key) => store.load(key),
    create: (key, record) => guard(() => store.create(key, record)),
    patch: (key, patch) => guard(() => store.patch(key, patch)),
    touch: (key, at) => guard(() => store.touch(key, at)),
    rotate: (from, to, patch) => guard(() => store.rotate(from, to, patch)),
    destroy: (key) => guard(() => store.destroy(key)),
  };
  return { store: wrapped, failing };
}

it('the koa2 alias really is Koa 2, and koa is Koa 3', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  expect((require('koa2/package.json') as { version: string }).version).toMatch(/^2\./);
  expect((require('koa/package.json') as { version: string }).version).toMatch(/^3\./);
});

describe.each([
  ['koa 3', Koa],
  ['koa 2', Koa2],
] as const)('%s specifics', (_name, KoaApp: KoaConstructor) => {
  let server: Listening | undefined;
  let calls: StoreOperation[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    calls = [];
  });

  /** An app with the adapter over an observed memory store, then `routes`. */
  async function start(
    routes: Koa.Middleware,
    options: Partial<SessionManagerOptions> & { commitOnError?: boolean } = {},
    before?: Koa.Middleware,
  ) {
    const app = new KoaApp();
    if (before) app.use(before);
    const store = observeStore(createMemoryStore(), (op) => calls.push(op));
    app.use(sessions({ store, secrets: [SECRET], ...options }));
    app.use(async (ctx, next) => {
      if (ctx.path === '/set') {
        await ctx.session.set('n', (((await ctx.session.get('n')) as number | undefined) ?? 0) + 1);
        ctx.body = { ok: true };
        return;
      }
      await next();
    });
    app.use(routes);
    server = await listen(app);
    return server;
  }

  it('downstream throwing commits nothing and Koa answers with the error status', async () => {
    const app = await start(async (ctx) => {
      await ctx.session.set('n', 2);
      ctx.throw(409, 'conflicting input');
    });
    const created = await app.fetch('/set');
    calls.length = 0;
    const thrown = await app.fetch('/throw', { headers: { cookie: cookieOf(created) } });
    expect(thrown.status).toBe(409);
    expect(await thrown.text()).toBe('conflicting input');
    expect(thrown.headers.getSetCookie()).toEqual([]);
    expect(calls).toEqual(['load']);
    const anonymous = await app.fetch('/throw');
    expect(anonymous.status).toBe(409);
    expect(anonymous.headers.getSetCookie()).toEqual([]);
  });

  it('commitOnError writes when downstream throws; the cookie survives an upstream error handler', async () => {
    const app = await start(
      async (ctx) => {
        await ctx.session.set('n', 3);
        throw new Error('boom');
      },
      { commitOnError: true },
      async (ctx, next) => {
        try {
          await next();
        } catch {
          ctx.status = 500;
          ctx.body = { handled: true };
        }
      },
    );
    const reply = await app.fetch('/throw');
    expect(reply.status).toBe(500);
    expect(await reply.json()).toEqual({ handled: true });
    expect(sessionCookie(reply.headers.getSetCookie())).toBeDefined();
    expect(calls).toEqual(['create']);
  });

  it('a SessionError from the commit itself surfaces as Koa’s 503, with no cookie', async () => {
    const base = createMemoryStore();
    const { store, failing } = failingWrites(base);
    const app = await start(
      async (ctx) => {
        ctx.body = { value: (await ctx.session.get('n')) ?? null };
      },
      { store },
    );
    const created = await app.fetch('/set');
    failing.writes = true;
    // Loading works, the write in the commit (after the chain) fails.
    const write = await app.fetch('/set', { headers: { cookie: cookieOf(created) } });
    expect(write.status).toBe(503);
    expect(await write.text()).toBe('Service Unavailable');
    expect(write.headers.getSetCookie()).toEqual([]);
    const fresh = await app.fetch('/set');
    expect(fresh.status).toBe(503);
    expect(fresh.headers.getSetCookie()).toEqual([]);
    failing.writes = false;
    const read = await app.fetch('/read', { headers: { cookie: cookieOf(created) } });
    expect(await read.json()).toEqual({ value: 1 });
  });

  it('ctx.redirect keeps the Set-Cookie', async () => {
    const app = await start(async (ctx) => {
      await ctx.session.set('n', 4);
      ctx.status = 303;
      ctx.redirect('/done');
    });
    const reply = await app.fetch('/login', { method: 'POST' });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/done');
    expect(sessionCookie(reply.headers.getSetCookie())).toMatch(/^sid=[\w-]{43}\.[\w-]{43}; /);
  });

  it('a streamed body (a Readable) after a write gets its cookie', async () => {
    const app = await start(async (ctx) => {
      await ctx.session.set('n', 5);
      ctx.type = 'text/plain';
      ctx.body = Readable.from(['streamed ', 'body']);
    });
    const reply = await app.fetch('/stream');
    expect(reply.status).toBe(200);
    expect(sessionCookie(reply.headers.getSetCookie())).toBeDefined();
    expect(await reply.text()).toBe('streamed body');
    expect(calls).toEqual(['create']);
  });

  it('an untouched route gets no Set-Cookie and makes no store call', async () => {
    const app = await start(async (ctx) => {
      ctx.body = 'hello';
    });
    const created = await app.fetch('/set');
    calls.length = 0;
    for (const cookie of ['', cookieOf(created)]) {
      const reply = await app.fetch('/hello', { headers: { cookie } });
      expect(await reply.text()).toBe('hello');
      expect(reply.headers.getSetCookie()).toEqual([]);
    }
    expect(calls).toEqual([]);
  });

  it('keeps cookies other middleware set (ctx.cookies) next to the session cookie', async () => {
    const app = await start(async (ctx) => {
      ctx.cookies.set('theme', 'dark', { httpOnly: false });
      await ctx.session.set('n', 6);
      ctx.body = 'ok';
    });
    const lines = (await app.fetch('/both')).headers.getSetCookie();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^theme=dark; /);
    expect(sessionCookie(lines)).toBeDefined();
  });

  it('ctx.respond = false: save() before writing persists; no cookie can be added', async () => {
    const app = await start(async (ctx) => {
      if (ctx.path !== '/raw') {
        ctx.body = { raw: (await ctx.session.get('raw')) ?? null };
        return;
      }
      await ctx.session.set('raw', true);
      await ctx.session.save();
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'text/plain' });
      ctx.res.end('raw');
    });
    const cookie = cookieOf(await app.fetch('/set'));
    const raw = await app.fetch('/raw', { headers: { cookie } });
    expect(await raw.text()).toBe('raw');
    expect(raw.headers.getSetCookie()).toEqual([]);
    expect(await (await app.fetch('/read', { headers: { cookie } })).json()).toEqual({ raw: true });
    const anonymous = await app.fetch('/raw');
    expect(anonymous.headers.getSetCookie(), 'a new session cannot reach the client').toEqual([]);
  });

  it('passes the request URL (honouring app.proxy) so plain-HTTP Secure cookies are reported', async () => {
    const events: SessionEvent[] = [];
    const app = await start(
      async () => {},
      { onEvent: (event) => events.push(event) },
      async (ctx, next) => {
        ctx.app.proxy = true;
        await next();
      },
    );
    await app.fetch('/set', {
      headers: { 'x-forwarded-host': 'app.example', 'x-forwarded-proto': 'https' },
    });
    const insecure = () => events.filter((event) => event.type === 'insecure-request');
    expect(insecure()).toEqual([]);
    await app.fetch('/set', { headers: { 'x-forwarded-host': 'app.example' } });
    expect(insecure()).toEqual([{ type: 'insecure-request', host: 'app.example' }]);
  });
});
