import { Readable } from 'node:stream';
import { isSessionError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { createTestApp, sessionPair, setCookies } from './support/harness.js';

describe('commit in onSend', () => {
  it('reply.redirect carries the Set-Cookie (303 after sign-in, 302 after a first write)', async () => {
    const { app, calls } = createTestApp();
    app.post('/login', async (request, reply) => {
      await request.session.regenerate({ keep: [] });
      await request.session.set('user', 'ada');
      return reply.redirect('/', 303);
    });
    app.post('/note', async (request, reply) => {
      await request.session.set('note', 'hi');
      return reply.redirect('/notes');
    });
    const login = await app.inject({ method: 'POST', url: '/login' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = sessionPair(setCookies(login.headers));
    expect(cookie).toMatch(/^sid=[\w-]{43}\.[\w-]{43}$/);
    calls.length = 0;
    // A new visitor's first write creates the session: its cookie rides on the redirect.
    const note = await app.inject({ method: 'POST', url: '/note' });
    expect(note.statusCode).toBe(302);
    expect(note.headers.location).toBe('/notes');
    expect(calls).toEqual(['create']);
    expect(sessionPair(setCookies(note.headers))).toMatch(/^sid=[\w-]{43}\.[\w-]{43}$/);
    // A returning visitor's write within the touch interval keeps the expiry: no new cookie.
    calls.length = 0;
    const again = await app.inject({ method: 'POST', url: '/note', headers: { cookie } });
    expect(again.statusCode).toBe(302);
    expect(calls).toEqual(['load', 'patch']);
    expect(setCookies(again.headers)).toEqual([]);
  });

  it('an async handler that calls reply.send() early and returns reply commits once', async () => {
    const { app, calls } = createTestApp();
    let finished: () => void = () => {};
    const handlerDone = new Promise<void>((resolve) => {
      finished = resolve;
    });
    app.get('/early', async (request, reply) => {
      await request.session.set('n', 1);
      reply.send({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished();
      return reply;
    });
    app.get('/n', async (request) => ({ n: (await request.session.get('n')) ?? null }));
    const early = await app.inject('/early');
    expect(early.json()).toEqual({ ok: true });
    await handlerDone; // the handler went on after sending: still one commit
    expect(calls).toEqual(['create']);
    const lines = setCookies(early.headers);
    expect(lines).toHaveLength(1);
    const read = await app.inject({ url: '/n', headers: { cookie: sessionPair(lines) } });
    expect(read.json()).toEqual({ n: 1 });
  });

  it('a callback-style handler that sends later, and a streamed body, get the cookie', async () => {
    const { app } = createTestApp();
    app.get('/later', (request, reply) => {
      request.session.set('n', 1).then(() => setTimeout(() => reply.send('later'), 5));
    });
    app.get('/stream', async (request, reply) => {
      await request.session.set('n', 2);
      return reply.type('text/plain').send(Readable.from(['a', 'b']));
    });
    const later = await app.inject('/later');
    expect(later.body).toBe('later');
    expect(sessionPair(setCookies(later.headers))).toBeDefined();
    const stream = await app.inject('/stream');
    expect(stream.body).toBe('ab');
    expect(sessionPair(setCookies(stream.headers))).toBeDefined();
  });

  it('an untouched request makes no store call and gets no Set-Cookie, even on 404', async () => {
    const { app, calls } = createTestApp();
    app.get('/plain', async () => 'plain');
    for (const url of ['/plain', '/missing']) {
      const reply = await app.inject({ url, headers: { cookie: `sid=${'a'.repeat(43)}.x` } });
      expect(setCookies(reply.headers)).toEqual([]);
    }
    expect(calls).toEqual([]);
  });

  it('a reply sent before the plugin opened the session commits nothing and does not crash', async () => {
    const { app, calls } = createTestApp({
      before: (early) =>
        early.addHook('onRequest', async (_request, reply) => reply.code(429).send('slow down')),
    });
    app.get('/', async (request) => request.session.set('n', 1));
    const reply = await app.inject('/');
    expect(reply.statusCode).toBe(429);
    expect(setCookies(reply.headers)).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('handler errors', () => {
  const withSession = async (commitOnError?: boolean) => {
    const harness = createTestApp(commitOnError === undefined ? {} : { commitOnError });
    const { app } = harness;
    app.put('/a', async (request) => {
      await request.session.set('a', 1);
      return { ok: true };
    });
    app.get('/all', async (request) => request.session.getAll());
    app.put('/throw', async (request) => {
      await request.session.set('b', 2);
      throw new Error('handler failed');
    });
    app.put('/throw-422', async (request) => {
      await request.session.set('c', 3);
      throw Object.assign(new Error('unprocessable'), { statusCode: 422 });
    });
    const cookie = sessionPair(
      setCookies((await app.inject({ method: 'PUT', url: '/a' })).headers),
    );
    harness.calls.length = 0;
    return { ...harness, cookie };
  };

  it('an error thrown in a handler commits nothing (5xx and 4xx alike)', async () => {
    const { app, calls, cookie } = await withSession();
    const thrown = await app.inject({ method: 'PUT', url: '/throw', headers: { cookie } });
    expect(thrown.statusCode).toBe(500);
    expect(setCookies(thrown.headers)).toEqual([]);
    const unprocessable = await app.inject({
      method: 'PUT',
      url: '/throw-422',
      headers: { cookie },
    });
    expect(unprocessable.statusCode).toBe(422);
    expect(setCookies(unprocessable.headers)).toEqual([]);
    expect(calls).toEqual(['load', 'load']);
    expect((await app.inject({ url: '/all', headers: { cookie } })).json()).toEqual({ a: 1 });
    const anonymous = await app.inject({ method: 'PUT', url: '/throw' });
    expect(setCookies(anonymous.headers)).toEqual([]);
  });

  it('commitOnError commits what the failed handler changed', async () => {
    const { app, calls, cookie } = await withSession(true);
    const thrown = await app.inject({ method: 'PUT', url: '/throw', headers: { cookie } });
    expect(thrown.statusCode).toBe(500);
    expect(calls).toEqual(['load', 'patch']);
    expect((await app.inject({ url: '/all', headers: { cookie } })).json()).toEqual({ a: 1, b: 2 });
  });
});

describe('SessionErrors take the error path', () => {
  it('a custom setErrorHandler receives the SessionError with its code and status', async () => {
    const { app, failing } = createTestApp();
    const seen: unknown[] = [];
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error);
      if (isSessionError(error)) return reply.send({ code: error.code, status: reply.statusCode });
      return reply.send(error);
    });
    app.get('/read', async (request) => ({ n: (await request.session.get('n')) ?? null }));
    app.get('/write', async (request) => {
      await request.session.set('n', 1);
      return { ok: true };
    });
    const cookie = sessionPair(setCookies((await app.inject('/write')).headers));
    failing.add('load');
    const reply = await app.inject({ url: '/read', headers: { cookie } });
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toEqual({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect(setCookies(reply.headers)).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(isSessionError(seen[0], 'STORE_UNAVAILABLE')).toBe(true);
  });

  it("a SessionError's status wins over one the route had set, also in a custom error handler", async () => {
    const { app, failing } = createTestApp();
    // Like many custom handlers, this one sends without choosing a status.
    app.setErrorHandler((error, _request, reply) => reply.send({ failed: isSessionError(error) }));
    app.put('/seed', async (request) => {
      await request.session.set('n', 1);
      return { ok: true };
    });
    app.get('/created', async (request, reply) => {
      reply.code(201);
      await request.session.get('n');
      return { ok: true };
    });
    const cookie = sessionPair(
      setCookies((await app.inject({ method: 'PUT', url: '/seed' })).headers),
    );
    failing.add('load');
    const reply = await app.inject({ url: '/created', headers: { cookie } });
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toEqual({ failed: true });
  });

  it("a commit that fails answers 503, not the handler's status, and sets no cookie", async () => {
    const { app, calls, failing } = createTestApp();
    app.post('/login', async (request, reply) => {
      await request.session.set('user', 'ada');
      return reply.redirect('/', 303);
    });
    app.get('/ok', async (request) => {
      await request.session.set('n', 1);
      return { ok: true };
    });
    failing.add('create');
    for (const url of ['/ok', '/login']) {
      const method = url === '/login' ? 'POST' : 'GET';
      const reply = await app.inject({ method, url });
      expect(reply.statusCode, url).toBe(503);
      expect(reply.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', statusCode: 503 });
      expect(setCookies(reply.headers)).toEqual([]);
    }
    expect(calls).toEqual(['create', 'create']);
  });

  it('a failing commit reaches a custom error handler once, also with commitOnError', async () => {
    for (const commitOnError of [false, true]) {
      const { app, calls, failing } = createTestApp({ commitOnError });
      const seen: unknown[] = [];
      app.setErrorHandler((error, _request, reply) => {
        seen.push(error);
        return reply.send({ handled: true });
      });
      app.get('/ok', async (request) => {
        await request.session.set('n', 1);
        return { ok: true };
      });
      failing.add('create');
      const reply = await app.inject('/ok');
      expect(reply.statusCode).toBe(503);
      expect(reply.json()).toEqual({ handled: true });
      expect(calls, `commitOnError: ${commitOnError}`).toEqual(['create']);
      expect(seen).toHaveLength(1);
      expect(isSessionError(seen[0], 'STORE_UNAVAILABLE')).toBe(true);
    }
  });
});
