import { createMemoryStore, createSealedSessionManager } from '@sessions/core';
import { ScenarioClient } from '@sessions/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SessionEnv, sessions } from '../src/index.js';
import { inProcess } from './support/drivers.js';

type Data = { views: number };
const KEY = 'hono-sealing-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A clock the tests move by hand, so revocation ordering does not depend on real time. */
const time = { now: Date.UTC(2026, 0, 1) };
const clock = () => time.now;
const tick = () => {
  time.now += 1_000;
};

function app() {
  const manager = createSealedSessionManager<Data>({
    keys: [KEY],
    clock,
    revocation: { store: createMemoryStore({ clock }) },
  });
  const hono = new Hono<SessionEnv<Data>>();
  hono.use(sessions<Data>({ manager }));
  hono.post('/login', async (c) => {
    const { user } = await c.req.json<{ user: string }>();
    await c.var.session.signIn(user);
    return c.redirect('/', 303);
  });
  hono.get('/count', async (c) => {
    const views = ((await c.var.session.get('views')) ?? 0) + 1;
    await c.var.session.set('views', views);
    return c.json({ views, user: (await c.var.session.getUserId()) ?? null });
  });
  hono.get('/ping', (c) => c.text('pong'));
  hono.post('/everywhere', async (c) => {
    const userId = (await c.var.session.getUserId()) as string;
    await manager.revokeUserSessions(userId, { except: c.var.session });
    return c.body(null, 204);
  });
  hono.post('/logout', async (c) => {
    await c.var.session.destroy();
    return c.redirect('/', 303);
  });
  return hono;
}

describe('@sessions/hono with a sealed-cookie manager', () => {
  it('counts, signs in, signs out everywhere else and logs out, with the session in the cookie', async () => {
    const hono = app();
    const laptop = new ScenarioClient(inProcess(hono));

    const first = await laptop.send('GET', '/count');
    expect(first.json).toEqual({ views: 1, user: null });
    expect(first.setCookies).toEqual([
      expect.stringMatching(/^sid=s1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; /),
    ]);
    expect((await laptop.send('GET', '/count')).json).toEqual({ views: 2, user: null });

    // An untouched request sends no cookie.
    expect((await laptop.send('GET', '/ping')).setCookies).toEqual([]);

    const login = await laptop.send('POST', '/login', { user: 'ada' });
    expect(login.status).toBe(303);
    expect(login.setCookies).toHaveLength(1);
    // signIn keeps no pre-sign-in data by default.
    expect((await laptop.send('GET', '/count')).json).toEqual({ views: 1, user: 'ada' });
  });

  it('revokes the other browser of a user through the epoch', async () => {
    const hono = app();
    const laptop = new ScenarioClient(inProcess(hono));
    const phone = new ScenarioClient(inProcess(hono));
    tick();
    await phone.send('POST', '/login', { user: 'ada' });
    tick();
    await laptop.send('POST', '/login', { user: 'ada' });
    expect((await phone.send('GET', '/count')).json).toEqual({ views: 1, user: 'ada' });
    tick();

    const everywhere = await laptop.send('POST', '/everywhere');
    expect(everywhere.status).toBe(204);
    expect(everywhere.setCookies).toHaveLength(1);

    tick();
    expect((await phone.send('GET', '/count')).json).toEqual({ views: 1, user: null });
    expect((await laptop.send('GET', '/count')).json).toEqual({ views: 1, user: 'ada' });

    const logout = await laptop.send('POST', '/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=; .*Max-Age=0/);
    expect(laptop.cookies.has('sid')).toBe(false);
  });
});
