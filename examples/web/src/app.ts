import { createSessionManager, isSessionError, withSession } from '@sessions/core';
import * as demo from '@sessions/example-shared';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const redirectHome = () => new Response(null, { status: 303, headers: { location: '/' } });
const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const failure = ({ status, message }: demo.DemoError) => text(`${message}\n`, status);

/** Builds the demo as a Web-standard `(request) => Response` handler. */
export function createDemo(options: demo.DemoOptions): (request: Request) => Promise<Response> {
  const sessions = createSessionManager<demo.DemoSession>(demo.demoSessionOptions(options));

  const handle = withSession(sessions, async (request, session) => {
    const { pathname } = new URL(request.url);
    const method = request.method;
    if (pathname === '/' && method === 'GET') {
      return new Response(await demo.showHome(session), {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    }
    if (pathname === '/login' && method === 'POST') {
      const form = await request.formData().catch(() => undefined);
      const reply = await demo.signIn(session, form?.get('username'));
      return reply.kind === 'redirect' ? redirectHome() : failure(reply);
    }
    if (pathname === '/logout' && method === 'POST') {
      await demo.signOut(session);
      return redirectHome();
    }
    if (pathname === '/api/session' && method === 'GET') {
      return json(await demo.sessionState(session));
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
