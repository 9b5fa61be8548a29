import formbody from '@fastify/formbody';
import * as demo from '@sessions/example-shared';
import { sessions } from '@sessions/fastify';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';

export type { DemoSession } from '@sessions/example-shared';

// Declared once: every `request.session` in this app is a `Session<DemoSession>`.
declare module '@sessions/core' {
  interface Register {
    sessionData: demo.DemoSession;
  }
}

/** What the demo needs to run. */
export interface DemoOptions extends demo.DemoOptions {
  /** Fastify's own options (the logger, say). */
  fastify?: FastifyServerOptions;
}

const failure = (reply: FastifyReply, { status, message }: demo.DemoError) =>
  reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);

const api = (reply: FastifyReply, result: demo.DemoApiReply) =>
  result.kind === 'json' ? reply.code(result.status).send(result.body) : reply.code(204).send();

/** Builds the demo as a Fastify app (call `listen` or `inject` on it). */
export function createDemo(options: DemoOptions): FastifyInstance {
  // One manager for the plugin and for the routes that list and revoke a user's sessions.
  const manager = demo.demoSessionManager(options);
  const app = Fastify(options.fastify);
  app.register(formbody);
  app.register(sessions, { manager });

  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(await demo.showHome(request.session, manager)),
  );

  app.post<{ Body: { username?: unknown } | undefined }>('/login', async (request, reply) => {
    const result = await demo.signIn(
      request.session,
      request.body?.username,
      request.headers['user-agent'],
    );
    if (result.kind === 'error') return failure(reply, result);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    await demo.signOut(request.session);
    return reply.redirect('/', 303);
  });

  app.get('/api/session', async (request) => demo.sessionState(request.session));

  app.get('/api/sessions', async (request, reply) =>
    api(reply, await demo.listSessions(request.session, manager)),
  );

  app.delete<{ Params: { handle: string } }>('/api/sessions/:handle', async (request, reply) =>
    api(reply, await demo.deleteSession(request.session, manager, request.params.handle)),
  );

  app.post('/sessions/revoke-others', async (request, reply) => {
    await demo.revokeOtherSessions(request.session, manager);
    return reply.redirect('/', 303);
  });

  app.post<{ Params: { handle: string } }>('/sessions/:handle/revoke', async (request, reply) => {
    await demo.revokeSessionFromPage(request.session, manager, request.params.handle);
    return reply.redirect('/', 303);
  });

  app.register(async (api) => {
    // A preference body is a JSON value whatever its content type (`fetch` sends a string body as
    // text/plain), so this route reads the raw text and parses it itself.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    api.put<{ Params: { key: string }; Body: string | undefined }>(
      '/api/prefs/:key',
      async (request, reply) => {
        const result = await demo.savePref(request.session, request.params.key, request.body);
        if (result.kind === 'error') return failure(reply, result);
        return reply.code(204).send();
      },
    );
  });

  return app;
}
