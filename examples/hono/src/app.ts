import * as demo from '@sessions/example-shared';
import { type SessionEnv, sessions } from '@sessions/hono';
import { type Context, Hono } from 'hono';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

type DemoContext = Context<SessionEnv<demo.DemoSession>>;

const api = (c: DemoContext, reply: demo.DemoApiReply) =>
  reply.kind === 'json' ? c.json(reply.body, reply.status) : c.body(null, 204);

/** Builds the demo as a Hono app (serve it with any Hono runtime adapter). */
export function createDemo(options: demo.DemoOptions): Hono<SessionEnv<demo.DemoSession>> {
  // One manager for the middleware and for the routes that list and revoke a user's sessions.
  const manager = demo.demoSessionManager(options);
  const app = new Hono<SessionEnv<demo.DemoSession>>();
  app.use(sessions<demo.DemoSession>({ manager }));

  app.get('/', async (c) => c.html(await demo.showHome(c.var.session, manager)));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody().catch(() => undefined);
    const reply = await demo.signIn(c.var.session, form?.username, c.req.header('user-agent'));
    if (reply.kind === 'error') return c.text(`${reply.message}\n`, reply.status);
    return c.redirect('/', 303);
  });

  app.post('/logout', async (c) => {
    await demo.signOut(c.var.session);
    return c.redirect('/', 303);
  });

  app.get('/api/session', async (c) => c.json(await demo.sessionState(c.var.session)));

  app.get('/api/sessions', async (c) => api(c, await demo.listSessions(c.var.session, manager)));

  app.delete('/api/sessions/:handle', async (c) =>
    api(c, await demo.deleteSession(c.var.session, manager, c.req.param('handle'))),
  );

  app.post('/sessions/revoke-others', async (c) => {
    await demo.revokeOtherSessions(c.var.session, manager);
    return c.redirect('/', 303);
  });

  app.post('/sessions/:handle/revoke', async (c) => {
    await demo.revokeSessionFromPage(c.var.session, manager, c.req.param('handle'));
    return c.redirect('/', 303);
  });

  app.put('/api/prefs/:key', async (c) => {
    // Other session errors (a store outage) are thrown on to Hono's error path.
    const reply = await demo.savePref(c.var.session, c.req.param('key'), await c.req.text());
    if (reply.kind === 'error') return c.text(`${reply.message}\n`, reply.status);
    return c.body(null, 204);
  });

  return app;
}
