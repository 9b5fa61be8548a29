import formbody from '@fastify/formbody';
import { isSessionError, type Session, type SessionStore, type SessionValue } from '@sessions/core';
import { renderPage } from '@sessions/example-shared';
import { sessions } from '@sessions/fastify';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';

/** The demo's session data: a counter, the signed-in user, and one key per preference. */
export type DemoSession = { views: number; user: string } & {
  [key: `pref:${string}`]: SessionValue;
};

// Declared once: every `request.session` in this app is a `Session<DemoSession>`.
declare module '@sessions/core' {
  interface Register {
    sessionData: DemoSession;
  }
}

/** What the demo needs to run. */
export interface DemoOptions {
  store: SessionStore;
  secret: string;
  /** Cookie `Secure` attribute; browsers accept secure cookies on http://localhost. Default true. */
  secure?: boolean;
  /** Fastify's own options (the logger, say). */
  fastify?: FastifyServerOptions;
}

const PREF_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const PREF_PREFIX = 'pref:';

const text = (reply: FastifyReply, status: number, message: string) =>
  reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);

async function stateOf(session: Session<DemoSession>) {
  const all = await session.getAll();
  const prefs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(PREF_PREFIX))
      Object.defineProperty(prefs, key.slice(PREF_PREFIX.length), { value, enumerable: true });
  }
  return { views: all.views ?? 0, user: all.user ?? null, prefs };
}

/** Builds the demo as a Fastify app (call `listen` or `inject` on it). */
export function createDemo(options: DemoOptions): FastifyInstance {
  const app = Fastify(options.fastify);
  app.register(formbody);
  app.register(sessions, {
    store: options.store,
    secrets: [options.secret],
    cookie: { secure: options.secure ?? true },
  });

  app.get('/', async (request, reply) => {
    const { session } = request;
    const views = ((await session.get('views')) ?? 0) + 1;
    await session.set('views', views);
    const flash = (await session.getFlash<string>('notice')) ?? null;
    const { user, prefs } = await stateOf(session);
    return reply.type('text/html; charset=utf-8').send(renderPage({ views, user, flash, prefs }));
  });

  app.post<{ Body: { username?: unknown } | undefined }>('/login', async (request, reply) => {
    const username = String(request.body?.username ?? '').trim();
    if (username === '' || username.length > 64)
      return text(reply, 400, 'username: 1 to 64 characters');
    await request.session.regenerate();
    await request.session.set('user', username);
    await request.session.flash('notice', `Signed in as ${username}`);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/', 303);
  });

  app.get('/api/session', async (request) => stateOf(request.session));

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
        const { key } = request.params;
        if (!PREF_KEY.test(key))
          return text(reply, 400, 'preference key: 1 to 64 of A-Z a-z 0-9 _ -');
        let value: SessionValue;
        try {
          value = JSON.parse(request.body ?? '') as SessionValue;
        } catch {
          return text(reply, 400, 'body: a JSON value');
        }
        try {
          await request.session.set(`${PREF_PREFIX}${key}`, value);
        } catch (error) {
          // Too large or too deep is the client's fault: 413/400, not the SessionError's 500.
          if (isSessionError(error, 'PAYLOAD_TOO_LARGE'))
            return text(reply, 413, 'preference too large');
          if (isSessionError(error, 'INVALID_VALUE'))
            return text(reply, 400, 'body: a storable JSON value');
          throw error;
        }
        return reply.code(204).send();
      },
    );
  });

  return app;
}
