import { isSessionError, type Session, type SessionStore, type SessionValue } from '@sessions/core';
import { renderPage } from '@sessions/example-shared';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono } from 'hono';

/** The demo's session data: a counter, the signed-in user, and one key per preference. */
export type DemoSession = { views: number; user: string } & {
  [key: `pref:${string}`]: SessionValue;
};

/** What the demo needs to run. */
export interface DemoOptions {
  store: SessionStore;
  secret: string;
  /** Cookie `Secure` attribute; browsers accept secure cookies on http://localhost. Default true. */
  secure?: boolean;
}

const PREF_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const PREF_PREFIX = 'pref:';

/** The JSON view of a session: never its ID. */
async function summary(session: Session<DemoSession>) {
  const all = await session.getAll();
  const prefs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    // defineProperty: a preference named `__proto__` stays plain data.
    if (key.startsWith(PREF_PREFIX))
      Object.defineProperty(prefs, key.slice(PREF_PREFIX.length), { value, enumerable: true });
  }
  return { views: all.views ?? 0, user: all.user ?? null, prefs };
}

/** Builds the demo as a Hono app (serve it with any Hono runtime adapter). */
export function createDemo(options: DemoOptions): Hono<SessionEnv<DemoSession>> {
  const app = new Hono<SessionEnv<DemoSession>>();
  app.use(
    sessions<DemoSession>({
      store: options.store,
      secrets: [options.secret],
      cookie: { secure: options.secure ?? true },
    }),
  );

  app.get('/', async (c) => {
    const session = c.var.session;
    const views = ((await session.get('views')) ?? 0) + 1;
    await session.set('views', views);
    const flash = (await session.getFlash<string>('notice')) ?? null;
    const { user, prefs } = await summary(session);
    return c.html(renderPage({ views, user, flash, prefs }));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody().catch(() => undefined);
    const field = form?.username;
    const username = typeof field === 'string' ? field.trim() : '';
    if (username === '' || username.length > 64)
      return c.text('username: 1 to 64 characters\n', 400);
    await c.var.session.regenerate();
    await c.var.session.set('user', username);
    await c.var.session.flash('notice', `Signed in as ${username}`);
    return c.redirect('/', 303);
  });

  app.post('/logout', async (c) => {
    await c.var.session.destroy();
    return c.redirect('/', 303);
  });

  app.get('/api/session', async (c) => c.json(await summary(c.var.session)));

  app.put('/api/prefs/:key', async (c) => {
    const key = c.req.param('key');
    if (!PREF_KEY.test(key)) return c.text('preference key: 1 to 64 of A-Z a-z 0-9 _ -\n', 400);
    let value: SessionValue;
    try {
      value = JSON.parse(await c.req.text()) as SessionValue;
    } catch {
      return c.text('body: a JSON value\n', 400);
    }
    try {
      await c.var.session.set(`${PREF_PREFIX}${key}`, value);
    } catch (error) {
      // Too large or too deep is the client's mistake; anything else goes to Hono's error path.
      if (isSessionError(error, 'PAYLOAD_TOO_LARGE') || isSessionError(error, 'INVALID_VALUE'))
        return c.text(`body: ${error.code}\n`, 400);
      throw error;
    }
    return c.body(null, 204);
  });

  return app;
}
