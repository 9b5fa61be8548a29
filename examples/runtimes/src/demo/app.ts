import { createMemoryStore, type SessionStore } from '@sessions/core';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono } from 'hono';

/** The demo's session data. */
export type DemoData = { views: number; user: string };

/** The secret every demo server signs with (a test fixture: the servers only listen on 127.0.0.1). */
const SECRET = 'runtimes-demo-secret-0123456789abcdefghijkl';

/**
 * The Hono demo reduced to what the runtime check needs (the full demo in `examples/hono` serves on
 * Node only): `@sessions/hono` on `store` (default: the memory store), a counter, sign-in (a form
 * post that regenerates the session, then a 303) and sign-out (destroy, then a 303).
 * `GET /runtime` names the runtime that serves, so the outside check knows it reached the right
 * binary.
 */
export function createDemo(
  runtime: string,
  store: SessionStore = createMemoryStore(),
): Hono<SessionEnv<DemoData>> {
  const app = new Hono<SessionEnv<DemoData>>();
  // `secure: false`: the check talks plain HTTP to 127.0.0.1, like a browser on localhost.
  app.use(
    sessions<DemoData>({
      store,
      secrets: [SECRET],
      cookie: { secure: false },
    }),
  );

  app.get('/runtime', (c) => c.json({ runtime }));

  app.get('/', async (c) => {
    const views = ((await c.var.session.get('views')) ?? 0) + 1;
    await c.var.session.set('views', views);
    const user = (await c.var.session.get('user')) ?? null;
    return c.json({ views, user });
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username.trim() : '';
    if (username === '' || username.length > 64)
      return c.text('username: 1 to 64 characters\n', 400);
    await c.var.session.regenerate();
    await c.var.session.set('user', username);
    return c.redirect('/', 303);
  });

  app.post('/logout', async (c) => {
    await c.var.session.destroy();
    return c.redirect('/', 303);
  });

  return app;
}
