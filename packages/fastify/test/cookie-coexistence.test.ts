import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sessions } from '../src/index.js';
import { controlledStore, SECRET, sessionPair } from './support/harness.js';

/** An app with @fastify/cookie registered before or after the sessions plugin. */
function appWithCookiePlugin(order: 'cookie first' | 'sessions first'): FastifyInstance {
  const app = Fastify();
  const { store } = controlledStore();
  const registerCookie = () => app.register(fastifyCookie, { secret: 'cookie-plugin-secret' });
  if (order === 'cookie first') registerCookie();
  app.register(sessions, { store, secrets: [SECRET] });
  if (order === 'sessions first') registerCookie();
  app.get('/both', async (request, reply) => {
    reply.setCookie('theme', 'dark', { path: '/' });
    reply.header('set-cookie', 'direct=1; Path=/');
    await request.session.set('n', 1);
    return { ok: true };
  });
  app.get('/login', async (request, reply) => {
    reply.setCookie('seen', 'yes', { path: '/' });
    await request.session.set('user', 'ada');
    return reply.redirect('/', 303);
  });
  app.get('/cookies', async (request) => request.cookies);
  app.get('/read', async (request) => ({
    n: (await request.session.get('n')) ?? null,
    cookies: request.cookies,
  }));
  return app;
}

const names = (lines: readonly string[]) => lines.map((line) => line.split('=', 1)[0]).sort();

describe('coexistence with @fastify/cookie', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  for (const order of ['cookie first', 'sessions first'] as const) {
    it(`${order}: both plugins' cookies are on the reply, each exactly once (real server)`, async () => {
      app = appWithCookiePlugin(order);
      const origin = await app.listen({ host: '127.0.0.1', port: 0 });
      const both = await fetch(`${origin}/both`);
      const lines = both.headers.getSetCookie();
      expect(names(lines)).toEqual(['direct', 'sid', 'theme']);
      const login = await fetch(`${origin}/login`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      expect(names(login.headers.getSetCookie())).toEqual(['seen', 'sid']);

      // Our parsing reads the raw Cookie header, whatever @fastify/cookie made of it.
      const cookie = `theme=dark; ${sessionPair(lines)}`;
      const read = await fetch(`${origin}/read`, { headers: { cookie } });
      expect(await read.json()).toEqual({
        n: 1,
        cookies: { theme: 'dark', sid: expect.any(String) },
      });
    });
  }

  it('two different valid session cookies still fail closed, though request.cookies keeps one', async () => {
    app = appWithCookiePlugin('cookie first');
    const first = sessionPair(
      (await app.inject('/both')).cookies.map((c) => `${c.name}=${c.value}`),
    );
    const second = sessionPair(
      (await app.inject('/both')).cookies.map((c) => `${c.name}=${c.value}`),
    );
    expect(first).not.toBe(second);
    const cookie = `${first}; ${second}`;
    const parsed = (await app.inject({ url: '/cookies', headers: { cookie } })).json();
    expect(`sid=${parsed.sid}`).toBe(first);
    const reply = await app.inject({ url: '/read', headers: { cookie } });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ code: 'AMBIGUOUS_SESSION' });
  });
});
