import * as demo from '@sessions/example-shared';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono } from 'hono';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

/** Builds the demo as a Hono app (serve it with any Hono runtime adapter). */
export function createDemo(options: demo.DemoOptions): Hono<SessionEnv<demo.DemoSession>> {
  const app = new Hono<SessionEnv<demo.DemoSession>>();
  app.use(sessions<demo.DemoSession>(demo.demoSessionOptions(options)));

  app.get('/', async (c) => c.html(await demo.showHome(c.var.session)));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody().catch(() => undefined);
    const reply = await demo.signIn(c.var.session, form?.username);
    if (reply.kind === 'error') return c.text(`${reply.message}\n`, reply.status);
    return c.redirect('/', 303);
  });

  app.post('/logout', async (c) => {
    await demo.signOut(c.var.session);
    return c.redirect('/', 303);
  });

  app.get('/api/session', async (c) => c.json(await demo.sessionState(c.var.session)));

  app.put('/api/prefs/:key', async (c) => {
    // Other session errors (a store outage) are thrown on to Hono's error path.
    const reply = await demo.savePref(c.var.session, c.req.param('key'), await c.req.text());
    if (reply.kind === 'error') return c.text(`${reply.message}\n`, reply.status);
    return c.body(null, 204);
  });

  return app;
}
