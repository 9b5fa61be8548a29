import { STATUS_CODES } from 'node:http';
import * as demo from '@sessions/example-shared';
import { sessions } from '@sessions/express';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';

export type { DemoOptions, DemoSession } from '@sessions/example-shared';

// Declared once: every `req.session` in this app is a `Session<DemoSession>`. (Express has no
// generic for what middleware adds to `req`, so Register is how it is typed.)
declare module '@sessions/core' {
  interface Register {
    sessionData: demo.DemoSession;
  }
}

/** An async route whose rejection goes to Express's error path (as Express 4 would need too). */
const route =
  <P = Request['params']>(run: (req: Request<P>, res: Response) => Promise<void>) =>
  (req: Request<P>, res: Response, next: NextFunction) => {
    run(req, res).catch(next);
  };

/** The route parameter of `/…/:handle` and `/…/:key`. */
type Named<K extends string> = Record<K, string>;

const failure = (res: Response, { status, message }: demo.DemoError) => {
  res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
};

const api = (res: Response, reply: demo.DemoApiReply) => {
  if (reply.kind === 'json') res.status(reply.status).json(reply.body);
  else res.status(204).end();
};

/**
 * Plain-text errors with the status's standard text (a store outage is `SessionError` 503), never
 * a stack trace; 5xx are logged. Its answer goes through the session middleware like any other: a
 * 5xx commits nothing.
 */
const errors: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const given = (error as { status?: unknown }).status;
  const status = typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
  if (status >= 500) console.error(error);
  res.status(status).type('text/plain; charset=utf-8').send(`${STATUS_CODES[status]}\n`);
};

/** Builds the demo as an Express app (serve it with `app.listen(port)`). */
export function createDemo(options: demo.DemoOptions): Express {
  // One manager for the middleware and for the routes that list and revoke a user's sessions.
  const manager = demo.demoSessionManager(options);
  const app = express();
  app.use(sessions<demo.DemoSession>({ manager }));

  app.get(
    '/',
    route(async (req, res) => {
      res.type('html').send(await demo.showHome(req.session, manager));
    }),
  );

  app.post(
    '/login',
    express.urlencoded({ extended: false }),
    route(async (req, res) => {
      const field = (req.body as Record<string, unknown> | undefined)?.username;
      const reply = await demo.signIn(req.session, field, req.get('user-agent'));
      if (reply.kind === 'error') return failure(res, reply);
      res.redirect(303, '/');
    }),
  );

  app.post(
    '/logout',
    route(async (req, res) => {
      await demo.signOut(req.session);
      res.redirect(303, '/');
    }),
  );

  app.get(
    '/api/session',
    route(async (req, res) => {
      res.json(await demo.sessionState(req.session));
    }),
  );

  app.get(
    '/api/sessions',
    route(async (req, res) => api(res, await demo.listSessions(req.session, manager))),
  );

  app.delete(
    '/api/sessions/:handle',
    route<Named<'handle'>>(async (req, res) =>
      api(res, await demo.deleteSession(req.session, manager, req.params.handle)),
    ),
  );

  app.post(
    '/sessions/revoke-others',
    route(async (req, res) => {
      await demo.revokeOtherSessions(req.session, manager);
      res.redirect(303, '/');
    }),
  );

  app.post(
    '/sessions/:handle/revoke',
    route<Named<'handle'>>(async (req, res) => {
      await demo.revokeSessionFromPage(req.session, manager, req.params.handle);
      res.redirect(303, '/');
    }),
  );

  // The body is the preference's JSON value whatever its content type (fetch sends text/plain,
  // the page application/json, curl -d a form type), so it is read as text and parsed here.
  app.put(
    '/api/prefs/:key',
    express.text({ type: () => true }),
    route<Named<'key'>>(async (req, res) => {
      const body = typeof req.body === 'string' ? req.body : undefined;
      const reply = await demo.savePref(req.session, req.params.key, body);
      if (reply.kind === 'error') return failure(res, reply);
      res.status(204).end();
    }),
  );

  app.use(errors);
  return app;
}
