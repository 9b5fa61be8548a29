import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import * as demo from '@sessions/example-shared';
import { type SessionContext, sessions } from '@sessions/koa';
import Koa, { type DefaultState } from 'koa';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

/** Answers a `/api/sessions` route as the shared action says. */
function api(ctx: { status: number; body: unknown }, reply: demo.DemoApiReply): void {
  if (reply.kind === 'json') {
    ctx.status = reply.status;
    ctx.body = reply.body;
  } else {
    ctx.status = 204;
  }
}

/** Builds the demo as a Koa app (serve it with `app.listen(port)`). */
export function createDemo(
  options: demo.DemoOptions,
): Koa<DefaultState, SessionContext<demo.DemoSession>> {
  // One manager for the middleware and for the routes that list and revoke a user's sessions.
  const manager = demo.demoSessionManager(options);
  // The context generic types ctx.session with DemoSession in every middleware and route.
  const app = new Koa<DefaultState, SessionContext<demo.DemoSession>>();
  const router = new Router<DefaultState, SessionContext<demo.DemoSession>>();

  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await demo.showHome(ctx.session, manager);
  });

  router.post('/login', bodyParser({ enableTypes: ['form'] }), async (ctx) => {
    const field = (ctx.request.body as Record<string, unknown> | undefined)?.username;
    const reply = await demo.signIn(ctx.session, field, ctx.get('user-agent'));
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

  router.get('/api/sessions', async (ctx) => {
    api(ctx, await demo.listSessions(ctx.session, manager));
  });

  router.delete('/api/sessions/:handle', async (ctx) => {
    api(ctx, await demo.deleteSession(ctx.session, manager, ctx.params.handle ?? ''));
  });

  router.post('/sessions/revoke-others', async (ctx) => {
    await demo.revokeOtherSessions(ctx.session, manager);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.post('/sessions/:handle/revoke', async (ctx) => {
    await demo.revokeSessionFromPage(ctx.session, manager, ctx.params.handle ?? '');
    ctx.status = 303;
    ctx.redirect('/');
  });

  // The body is the preference's JSON value whatever its content type (fetch sends text/plain,
  // the page application/json, curl -d a form type), so it is read as text and parsed here.
  const rawText = bodyParser({ enableTypes: ['text'], extendTypes: { text: ['*/*'] } });
  router.put('/api/prefs/:key', rawText, async (ctx) => {
    const reply = await demo.savePref(ctx.session, ctx.params.key ?? '', ctx.request.rawBody);
    if (reply.kind === 'error') ctx.throw(reply.status, reply.message);
    ctx.status = 204;
  });

  app.use(sessions<demo.DemoSession>({ manager }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
