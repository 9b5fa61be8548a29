import { isSessionError, withSession } from '@sessions/core';
import * as demo from '@sessions/example-shared';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const redirectHome = () => new Response(null, { status: 303, headers: { location: '/' } });
const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const failure = ({ status, message }: demo.DemoError) => text(`${message}\n`, status);
const api = (reply: demo.DemoApiReply) =>
  reply.kind === 'json' ? json(reply.body, reply.status) : new Response(null, { status: 204 });
/** `/api/sessions/:handle` and `/sessions/:handle/revoke`: the raw handle segment, if it matches. */
const API_SESSION = /^\/api\/sessions\/([^/]+)$/;
const REVOKE_SESSION = /^\/sessions\/([^/]+)\/revoke$/;
/** A path segment as the frameworks decode route parameters (a bad escape stays as it came). */
const segment = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

/** Builds the demo as a Web-standard `(request) => Response` handler. */
export function createDemo(options: demo.DemoOptions): (request: Request) => Promise<Response> {
  const sessions = demo.demoSessionManager(options);

  const handle = withSession(sessions, async (request, session) => {
    const { pathname } = new URL(request.url);
    const method = request.method;
    if (pathname === '/' && method === 'GET') {
      return new Response(await demo.showHome(session, sessions), {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    }
    if (pathname === '/login' && method === 'POST') {
      const form = await request.formData().catch(() => undefined);
      const reply = await demo.signIn(
        session,
        form?.get('username'),
        request.headers.get('user-agent'),
      );
      return reply.kind === 'redirect' ? redirectHome() : failure(reply);
    }
    if (pathname === '/logout' && method === 'POST') {
      await demo.signOut(session);
      return redirectHome();
    }
    if (pathname === '/api/session' && method === 'GET') {
      return json(await demo.sessionState(session));
    }
    if (pathname === '/api/sessions' && method === 'GET') {
      return api(await demo.listSessions(session, sessions));
    }
    const apiHandle = API_SESSION.exec(pathname)?.[1];
    if (apiHandle !== undefined && method === 'DELETE') {
      return api(await demo.deleteSession(session, sessions, segment(apiHandle)));
    }
    if (pathname === '/sessions/revoke-others' && method === 'POST') {
      await demo.revokeOtherSessions(session, sessions);
      return redirectHome();
    }
    const pageHandle = REVOKE_SESSION.exec(pathname)?.[1];
    if (pageHandle !== undefined && method === 'POST') {
      await demo.revokeSessionFromPage(session, sessions, segment(pageHandle));
      return redirectHome();
    }
    const pref = pathname.startsWith('/api/prefs/')
      ? pathname.slice('/api/prefs/'.length)
      : undefined;
    if (pref !== undefined && method === 'PUT') {
      const reply = await demo.savePref(session, pref, await request.text());
      return reply.kind === 'stored' ? new Response(null, { status: 204 }) : failure(reply);
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
