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

/** Builds the demo as a Fastify app (call `listen` or `inject` on it). */
export function createDemo(options: DemoOptions): FastifyInstance {
  const app = Fastify(options.fastify);
  app.register(formbody);
  app.register(sessions, demo.demoSessionOptions(options));

  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(await demo.showHome(request.session)),
  );

  app.post<{ Body: { username?: unknown } | undefined }>('/login', async (request, reply) => {
    const result = await demo.signIn(request.session, request.body?.username);
    if (result.kind === 'error') return failure(reply, result);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    await demo.signOut(request.session);
    return reply.redirect('/', 303);
  });

  app.get('/api/session', async (request) => demo.sessionState(request.session));

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
