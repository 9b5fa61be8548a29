import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import * as demo from '@sessions/example-shared';
import { type SessionContext, sessions } from '@sessions/koa';
import Koa, { type DefaultState } from 'koa';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

/** Builds the demo as a Koa app (serve it with `app.listen(port)`). */
export function createDemo(
  options: demo.DemoOptions,
): Koa<DefaultState, SessionContext<demo.DemoSession>> {
  // The context generic types ctx.session with DemoSession in every middleware and route.
  const app = new Koa<DefaultState, SessionContext<demo.DemoSession>>();
  const router = new Router<DefaultState, SessionContext<demo.DemoSession>>();

  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await demo.showHome(ctx.session);
  });

  router.post('/login', bodyParser({ enableTypes: ['form'] }), async (ctx) => {
    const field = (ctx.request.body as Record<string, unknown> | undefined)?.username;
    const reply = await demo.signIn(ctx.session, field);
    if (reply.kind === 'error') ctx.throw(reply.status, reply.message);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx) => {
    await demo.signOut(ctx.session);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.get('/api/session', async (ctx) => {
    ctx.body = await demo.sessionState(ctx.session);
  });

  // The body is the preference's JSON value whatever its content type (fetch sends text/plain,
  // the page application/json, curl -d a form type), so it is read as text and parsed here.
  const rawText = bodyParser({ enableTypes: ['text'], extendTypes: { text: ['*/*'] } });
  router.put('/api/prefs/:key', rawText, async (ctx) => {
    const reply = await demo.savePref(ctx.session, ctx.params.key ?? '', ctx.request.rawBody);
    if (reply.kind === 'error') ctx.throw(reply.status, reply.message);
    ctx.status = 204;
  });

  app.use(sessions<demo.DemoSession>(demo.demoSessionOptions(options)));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
