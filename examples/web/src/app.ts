import {
  createSessionManager,
  isSessionError,
  type SessionManager,
  type SessionStore,
  type SessionValue,
  withSession,
} from '@sessions/core';
import { renderPage } from '@sessions/example-shared';

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

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const redirectHome = () => new Response(null, { status: 303, headers: { location: '/' } });
const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

async function prefsOf(session: ReturnType<SessionManager<DemoSession>['session']>) {
  const all = await session.getAll();
  const prefs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(PREF_PREFIX))
      Object.defineProperty(prefs, key.slice(PREF_PREFIX.length), { value, enumerable: true });
  }
  return { views: all.views ?? 0, user: all.user ?? null, prefs };
}

/** Builds the demo as a Web-standard `(request) => Response` handler. */
export function createDemo(options: DemoOptions): (request: Request) => Promise<Response> {
  const sessions = createSessionManager<DemoSession>({
    store: options.store,
    secrets: [options.secret],
    cookie: { secure: options.secure ?? true },
  });

  const handle = withSession(sessions, async (request, session) => {
    const { pathname } = new URL(request.url);
    const method = request.method;
    if (pathname === '/' && method === 'GET') {
      const views = ((await session.get('views')) ?? 0) + 1;
      await session.set('views', views);
      const flash = (await session.getFlash<string>('notice')) ?? null;
      const { user, prefs } = await prefsOf(session);
      return new Response(renderPage({ views, user, flash, prefs }), {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    }
    if (pathname === '/login' && method === 'POST') {
      const form = await request.formData().catch(() => undefined);
      const username = String(form?.get('username') ?? '').trim();
      if (username === '' || username.length > 64)
        return text('username: 1 to 64 characters\n', 400);
      await session.regenerate();
      await session.set('user', username);
      await session.flash('notice', `Signed in as ${username}`);
      return redirectHome();
    }
    if (pathname === '/logout' && method === 'POST') {
      await session.destroy();
      return redirectHome();
    }
    if (pathname === '/api/session' && method === 'GET') {
      return json(await prefsOf(session));
    }
    const pref = pathname.startsWith('/api/prefs/')
      ? pathname.slice('/api/prefs/'.length)
      : undefined;
    if (pref !== undefined && method === 'PUT') {
      if (!PREF_KEY.test(pref)) return text('preference key: 1 to 64 of A-Z a-z 0-9 _ -\n', 400);
      let value: SessionValue;
      try {
        value = JSON.parse(await request.text()) as SessionValue;
      } catch {
        return text('body: a JSON value\n', 400);
      }
      try {
        await session.set(`${PREF_PREFIX}${pref}`, value);
      } catch (error) {
        // Too large or too deep is the client's fault: 413/400, not the SessionError's 500.
        if (isSessionError(error, 'PAYLOAD_TOO_LARGE')) return text('preference too large\n', 413);
        if (isSessionError(error, 'INVALID_VALUE'))
          return text('body: a storable JSON value\n', 400);
        throw error;
      }
      return new Response(null, { status: 204 });
    }
    return text('not found\n', 404);
  });

  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      if (isSessionError(error)) return text(`${error.code}: ${error.message}\n`, error.status);
      console.error(error);
      return text('internal error\n', 500);
    }
  };
}
