import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  createMemoryStore,
  isSessionError,
  observeStore,
  type SessionEvent,
  type SessionManagerOptions,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import { sessionCookie } from '@sessions/testing';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import express4 from 'express4';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../src/index.js';
import { type ExpressFactory, type Listening, listen } from './express-driver.js';

const SECRET = 'express-adapter-tests-secret-0123456789ab';

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

/** A store whose next `create` waits until `release()`; `reached` resolves when one is waiting. */
function gatedCreates(store: SessionStore) {
  let release = () => {};
  let arrive = () => {};
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wrapped: SessionStore = {
    ...store,
    name: 'gated-creates',
    capabilities: store.capabilities,
    load: (key) => store.load(key),
    async create(key, record) {
      arrive();
      await released;
      return store.create(key, record);
    },
  };
  return { store: wrapped, reached, release };
}

/** Sets `n` to its value + 1 (the same in every app below). */
const bump: RequestHandler = (req, _res, next) => {
  const run = async () => {
    await req.session.set('n', (((await req.session.get('n')) as number | undefined) ?? 0) + 1);
  };
  run().then(() => next(), next);
};

/** An async handler whose rejection goes to `next` (Express 4 does not do it itself). */
const handle =
  (run: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    run(req, res, next).catch(next);
  };

let dir = '';
let bigFile = '';
// Larger than a stream's 64 KiB chunks and a socket's buffer: a piped file writes many times and
// meets back-pressure while the commit holds it.
const BIG = Buffer.alloc(3 * 1024 * 1024 + 17, 'abcdefghijklmnopqrstuvwxyz');
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sessions-express-'));
  bigFile = join(dir, 'big.txt');
  await writeFile(bigFile, BIG);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('the express4 alias really is Express 4, and express is Express 5', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  expect((require('express4/package.json') as { version: string }).version).toMatch(/^4\./);
  expect((require('express/package.json') as { version: string }).version).toMatch(/^5\./);
});

describe.each([
  ['express 5', express],
  ['express 4', express4],
] as const)('%s specifics', (_name, createExpress: ExpressFactory) => {
  let server: Listening | undefined;
  let calls: StoreOperation[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    calls = [];
  });

  /** An app: `before`, the adapter over an observed store, `GET /set` (bumps `n`), then `routes`. */
  async function start(
    routes: (app: Express) => void,
    options: Partial<SessionManagerOptions> & { commitOnError?: boolean } = {},
    before?: (app: Express) => void,
  ) {
    const app = createExpress();
    before?.(app);
    const store = observeStore(options.store ?? createMemoryStore(), (op) => calls.push(op));
    app.use(sessions({ secrets: [SECRET], ...options, store }));
    app.get('/set', bump, (_req, res) => {
      res.json({ ok: true });
    });
    app.get(
      '/read',
      handle(async (req, res) => res.json({ n: (await req.session.get('n')) ?? null })),
    );
    routes(app);
    server = await listen(app);
    return server;
  }

  it('res.redirect carries the Set-Cookie (303 after sign-in, 302 by default)', async () => {
    const app = await start((app) => {
      app.post(
        '/login',
        handle(async (req, res) => {
          await req.session.regenerate({ keep: [] });
          await req.session.set('user', 'ada');
          res.redirect(303, '/');
        }),
      );
      app.post('/note', bump, (_req, res) => res.redirect('/notes'));
    });
    const login = await app.fetch('/login', { method: 'POST' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect(sessionCookie(login.headers.getSetCookie())).toMatch(/^sid=[\w-]{43}\.[\w-]{43}; /);
    calls.length = 0;
    const note = await app.fetch('/note', { method: 'POST' });
    expect(note.status).toBe(302);
    expect(note.headers.get('location')).toBe('/notes');
    expect(sessionCookie(note.headers.getSetCookie())).toBeDefined();
    expect(calls).toEqual(['create']);
  });

  it('res.sendFile (a piped file, many writes, back-pressure) gets its cookie and every byte', async () => {
    const app = await start((app) => {
      app.get('/file', bump, (_req, res, next) =>
        res.sendFile(bigFile, (error) => error && next(error)),
      );
    });
    const reply = await app.fetch('/file');
    expect(reply.status).toBe(200);
    expect(sessionCookie(reply.headers.getSetCookie())).toBeDefined();
    expect(Buffer.from(await reply.arrayBuffer()).equals(BIG)).toBe(true);
    expect(calls).toEqual(['create']);
  });

  it('a Readable piped into res, and several res.write calls, commit once and keep the order', async () => {
    const app = await start((app) => {
      app.get('/stream', bump, (_req, res) => {
        res.type('text/plain');
        Readable.from(['streamed ', 'body']).pipe(res);
      });
      app.get('/writes', bump, (_req, res) => {
        res.write('one ');
        res.write('two ', () => res.end('three'));
      });
    });
    const streamed = await app.fetch('/stream');
    expect(sessionCookie(streamed.headers.getSetCookie())).toBeDefined();
    expect(await streamed.text()).toBe('streamed body');
    const cookie = cookieOf(streamed);
    calls.length = 0;
    const writes = await app.fetch('/writes', { headers: { cookie } });
    expect(await writes.text()).toBe('one two three');
    expect(calls).toEqual(['load', 'patch']);
    expect(await (await app.fetch('/read', { headers: { cookie } })).json()).toEqual({ n: 2 });
  });

  it('res.status(204).end() and res.flushHeaders() carry the cookie', async () => {
    const app = await start((app) => {
      app.put('/empty', bump, (_req, res) => res.status(204).end());
      app.get('/flushed', bump, (_req, res) => {
        res.flushHeaders();
        setTimeout(() => res.end('late body'), 5);
      });
    });
    const empty = await app.fetch('/empty', { method: 'PUT' });
    expect(empty.status).toBe(204);
    expect(sessionCookie(empty.headers.getSetCookie())).toBeDefined();
    const flushed = await app.fetch('/flushed');
    expect(sessionCookie(flushed.headers.getSetCookie())).toBeDefined();
    expect(await flushed.text()).toBe('late body');
  });

  it('res.writeHead with its own Set-Cookie (object or array) keeps both cookies', async () => {
    const app = await start((app) => {
      app.get('/object', bump, (_req, res) => {
        res.writeHead(201, 'Made', { 'Set-Cookie': 'theme=dark', 'content-type': 'text/plain' });
        res.end('object');
      });
      app.get('/array', bump, (_req, res) => {
        res.writeHead(200, ['set-cookie', 'lang=en', 'content-type', 'text/plain']);
        res.end('array');
      });
    });
    const object = await app.fetch('/object');
    expect(object.status).toBe(201);
    expect(object.statusText).toBe('Made');
    expect(object.headers.get('content-type')).toBe('text/plain');
    const lines = object.headers.getSetCookie();
    expect(lines).toHaveLength(2);
    expect(lines).toContain('theme=dark');
    expect(sessionCookie(lines)).toBeDefined();
    const array = await app.fetch('/array');
    expect(await array.text()).toBe('array');
    expect(array.headers.getSetCookie()).toContain('lang=en');
    expect(sessionCookie(array.headers.getSetCookie())).toBeDefined();
  });

  it('keeps cookies set with res.cookie next to the session cookie', async () => {
    const app = await start((app) => {
      app.get('/both', bump, (_req, res) => {
        res.cookie('theme', 'dark');
        res.send('ok');
      });
    });
    const lines = (await app.fetch('/both')).headers.getSetCookie();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^theme=dark; /);
    expect(sessionCookie(lines)).toBeDefined();
  });

  it('an untouched route, and a 404, get no Set-Cookie and make no store call', async () => {
    const app = await start((app) => {
      app.get('/hello', (_req, res) => res.send('hello'));
    });
    const created = await app.fetch('/set');
    calls.length = 0;
    for (const cookie of ['', cookieOf(created)]) {
      const reply = await app.fetch('/hello', { headers: { cookie } });
      expect(await reply.text()).toBe('hello');
      expect(reply.headers.getSetCookie()).toEqual([]);
      const missing = await app.fetch('/missing', { headers: { cookie } });
      expect(missing.status).toBe(404);
      expect(missing.headers.getSetCookie()).toEqual([]);
    }
    expect(calls).toEqual([]);
  });

  it('a throwing handler and a 5xx answer commit nothing; commitOnError commits both', async () => {
    const routes = (app: Express) => {
      app.get(
        '/throw',
        handle(async (req) => {
          await req.session.set('n', 40);
          throw new Error('boom');
        }),
      );
      app.get('/fail', bump, (_req, res) => res.status(503).send('down'));
      app.get('/head', bump, (_req, res) => {
        res.writeHead(500);
        res.end();
      });
    };
    const app = await start(routes);
    const created = await app.fetch('/set');
    const cookie = cookieOf(created);
    calls.length = 0;
    for (const path of ['/throw', '/fail', '/head']) {
      const reply = await app.fetch(path, { headers: { cookie } });
      expect(reply.status).toBeGreaterThanOrEqual(500);
      expect(reply.headers.getSetCookie()).toEqual([]);
    }
    expect(calls).toEqual(['load', 'load', 'load']);
    expect(await (await app.fetch('/read', { headers: { cookie } })).json()).toEqual({ n: 1 });
    await server?.close();

    const always = await start(routes, { commitOnError: true });
    const thrown = await always.fetch('/throw');
    expect(thrown.status).toBe(500);
    expect(sessionCookie(thrown.headers.getSetCookie())).toBeDefined();
    const read = await always.fetch('/read', { headers: { cookie: cookieOf(thrown) } });
    expect(await read.json()).toEqual({ n: 40 });
  });

  it('an error answered with a 4xx status commits: the status decides, as documented', async () => {
    const app = await start((app) => {
      app.get(
        '/forbidden',
        handle(async (req) => {
          await req.session.set('n', 7);
          throw Object.assign(new Error('forbidden'), { status: 403 });
        }),
      );
    });
    const reply = await app.fetch('/forbidden');
    expect(reply.status).toBe(403);
    expect(sessionCookie(reply.headers.getSetCookie())).toBeDefined();
  });

  it('a failing commit replaces the response: 503 through next(error), no cookie, no body', async () => {
    const { store, failing } = failingWrites(createMemoryStore());
    const seen: unknown[] = [];
    const app = await start(
      (app) => {
        // Without a callback: the dropped file stream is reported to a callback as ECONNABORTED,
        // and passing that to next() makes Express destroy the (kept-alive) socket.
        app.get('/file', bump, (_req, res) => res.sendFile(bigFile));
        app.get('/custom', bump, (_req, res) => res.send('never sent'));
        const handler: ErrorRequestHandler = (error, req, res, next) => {
          if (req.path !== '/custom') return next(error);
          seen.push(error);
          res.status(isSessionError(error) ? error.status : 500).json({ error: 'try later' });
        };
        app.use(handler);
      },
      { store },
    );
    const created = await app.fetch('/set');
    failing.writes = true;
    for (const cookie of ['', cookieOf(created)]) {
      for (const path of ['/set', '/file']) {
        const reply = await app.fetch(path, { headers: { cookie } });
        expect(reply.status).toBe(503);
        expect(reply.headers.getSetCookie()).toEqual([]);
        const body = await reply.text();
        expect(body).not.toContain('"ok"');
        expect(body.length).toBeLessThan(BIG.length);
      }
    }
    const custom = await app.fetch('/custom');
    expect(custom.status).toBe(503);
    expect(await custom.json()).toEqual({ error: 'try later' });
    expect(seen).toHaveLength(1);
    expect(isSessionError(seen[0], 'STORE_UNAVAILABLE')).toBe(true);
    failing.writes = false;
    const read = await app.fetch('/read', { headers: { cookie: cookieOf(created) } });
    expect(await read.json()).toEqual({ n: 1 });
  });

  it('while the commit holds the response, res.headersSent is true and later calls queue in order', async () => {
    const { store, reached, release } = gatedCreates(createMemoryStore());
    const observed: boolean[] = [];
    const app = await start(
      (app) => {
        app.get('/held', bump, (_req, res) => {
          observed.push(res.headersSent);
          res.write('a');
          observed.push(res.headersSent);
          res.end('b');
          observed.push(res.headersSent);
        });
      },
      { store },
    );
    const pending = app.fetch('/held');
    await reached;
    expect(observed).toEqual([false, true, true]);
    release();
    const reply = await pending;
    expect(await reply.text()).toBe('ab');
    expect(sessionCookie(reply.headers.getSetCookie())).toBeDefined();
  });

  it('a client that goes away while the commit holds its response breaks nothing', async () => {
    const { store, reached, release } = gatedCreates(createMemoryStore());
    let finished: (closed: boolean) => void = () => {};
    const closed = new Promise<boolean>((resolve) => {
      finished = resolve;
    });
    const app = await start(
      (app) => {
        app.get('/held', bump, (_req, res) => {
          res.on('close', () => finished(res.writableFinished));
          res.sendFile(bigFile);
        });
      },
      { store },
    );
    const abort = new AbortController();
    const pending = app.fetch('/held', { signal: abort.signal }).catch((error: Error) => error);
    await reached;
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    release();
    expect(await closed).toBe(false);
    // The server goes on serving (the session was stored; the client never saw its cookie).
    expect((await app.fetch('/set')).status).toBe(200);
  });

  it('installing the middleware twice fails loudly instead of committing twice', async () => {
    const app = await start(
      () => {},
      {},
      (app) => {
        app.use(sessions({ store: createMemoryStore(), secrets: [SECRET] }));
      },
    );
    const reply = await app.fetch('/set');
    expect(reply.status).toBe(500);
    expect(reply.headers.getSetCookie()).toEqual([]);
  });

  it('passes the request URL (honouring trust proxy) so plain-HTTP Secure cookies are reported', async () => {
    const events: SessionEvent[] = [];
    const app = await start(
      () => {},
      { onEvent: (event) => events.push(event) },
      (app) => app.set('trust proxy', true),
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
