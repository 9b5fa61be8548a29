import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { isSessionError, type Session, type SessionStore, type SessionValue } from '@sessions/core';
import { renderPage } from '@sessions/example-shared';
import { type SessionContext, sessions } from '@sessions/koa';
import Koa, { type DefaultState } from 'koa';

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

async function stateOf(session: Session<DemoSession>) {
  const all = await session.getAll();
  const prefs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(PREF_PREFIX))
      Object.defineProperty(prefs, key.slice(PREF_PREFIX.length), { value, enumerable: true });
  }
  return { views: all.views ?? 0, user: all.user ?? null, prefs };
}

/** Builds the demo as a Koa app (serve it with `app.listen(port)`). */
export function createDemo(options: DemoOptions): Koa<DefaultState, SessionContext<DemoSession>> {
  // The context generic types ctx.session with DemoSession in every middleware and route.
  const app = new Koa<DefaultState, SessionContext<DemoSession>>();
  const router = new Router<DefaultState, SessionContext<DemoSession>>();

  router.get('/', async (ctx) => {
    const views = ((await ctx.session.get('views')) ?? 0) + 1;
    await ctx.session.set('views', views);
    const flash = (await ctx.session.getFlash<string>('notice')) ?? null;
    const { user, prefs } = await stateOf(ctx.session);
    ctx.type = 'html';
    ctx.body = renderPage({ views, user, flash, prefs });
  });

  router.post('/login', bodyParser({ enableTypes: ['form'] }), async (ctx) => {
    const field = (ctx.request.body as Record<string, unknown> | undefined)?.username;
    const username = typeof field === 'string' ? field.trim() : '';
    if (username === '' || username.length > 64) ctx.throw(400, 'username: 1 to 64 characters');
    await ctx.session.regenerate();
    await ctx.session.set('user', username);
    await ctx.session.flash('notice', `Signed in as ${username}`);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx) => {
    await ctx.session.destroy();
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.get('/api/session', async (ctx) => {
    ctx.body = await stateOf(ctx.session);
  });

  // The body is the preference's JSON value whatever its content type (fetch sends text/plain,
  // the page application/json, curl -d a form type), so it is read as text and parsed here.
  const rawText = bodyParser({ enableTypes: ['text'], extendTypes: { text: ['*/*'] } });
  router.put('/api/prefs/:key', rawText, async (ctx) => {
    const key = ctx.params.key ?? '';
    if (!PREF_KEY.test(key)) ctx.throw(400, 'preference key: 1 to 64 of A-Z a-z 0-9 _ -');
    let value: SessionValue;
    try {
      value = JSON.parse(ctx.request.rawBody ?? '') as SessionValue;
    } catch {
      return ctx.throw(400, 'body: a JSON value');
    }
    try {
      // Each preference is its own session key, so parallel requests never overwrite each other.
      await ctx.session.set(`${PREF_PREFIX}${key}`, value);
    } catch (error) {
      // Too large or too deep is the client's fault: 413/400, not the SessionError's 500.
      if (isSessionError(error, 'PAYLOAD_TOO_LARGE')) ctx.throw(413, 'preference too large');
      if (isSessionError(error, 'INVALID_VALUE')) ctx.throw(400, 'body: a storable JSON value');
      throw error;
    }
    ctx.status = 204;
  });

  app.use(
    sessions<DemoSession>({
      store: options.store,
      secrets: [options.secret],
      cookie: { secure: options.secure ?? true },
    }),
  );
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
