import {
  closeIfUnused,
  isSessionError,
  managerFromOptions,
  nodeHeaderSource,
  type RegisteredSessionData,
  type Session,
  type SessionAdapterOptions,
  shouldCommit,
} from '@sessions/core';
import type {
  FastifyPluginAsync,
  FastifyRequest,
  onErrorHookHandler,
  onRequestHookHandler,
  onSendHookHandler,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * This request's session, typed with the data declared once through `@sessions/core`'s
     * `Register`. Opened lazily by the `@sessions/fastify` plugin's `onRequest` hook: no I/O and no
     * cookie parsing until first use. Committed in `onSend`, before the reply's headers are written.
     * (Not yet set in hooks that run before the plugin's own `onRequest` hook.)
     */
    session: Session<RegisteredSessionData>;
  }
}

/**
 * Options of the {@link sessions} plugin: `@sessions/core`'s manager options (`store`, `secrets`,
 * `cookie`, `expiry`, ...) or `{ manager }` (a manager built with `createSessionManager`), plus
 * `commitOnError` (default `false`: a handler that throws or answers 5xx commits nothing).
 */
export type FastifySessionsOptions = SessionAdapterOptions<RegisteredSessionData>;

// Async, so an invalid option (MISCONFIGURED) or a second registration rejects `app.ready()`.
const plugin: FastifyPluginAsync<FastifySessionsOptions> = async (app, options) => {
  const manager = managerFromOptions(options);
  // Per-request state lives in WeakSets (no per-request closures, nothing added to the request).
  const failed = new WeakSet<FastifyRequest>();
  const committed = new WeakSet<FastifyRequest>();

  const open: onRequestHookHandler = (request, _reply, next) => {
    request.session = manager.session(nodeHeaderSource(request.headers, request.raw.rawHeaders), {
      // Built only if a cookie is issued before the plain-HTTP warning has fired.
      url: () => `${request.protocol}://${request.host}${request.url}`,
      // For client binding; `request.ip` honours Fastify's `trustProxy` setting.
      clientAddress: () => request.ip,
    });
    next();
  };

  // Runs once per request, on the first error (from a handler, a hook or our own commit), before
  // the error handler. Only Fastify's default handler takes the status from the error; a custom
  // one would see the route's 200 (or its 201, or a redirect's 303), so a SessionError's own
  // status is applied here.
  const fail: onErrorHookHandler = (request, reply, error, next) => {
    failed.add(request);
    if (isSessionError(error)) reply.code(error.status);
    next();
  };

  // onSend runs before the headers are written, for every reply: `reply.send`, `reply.redirect`,
  // a returned value, and the error handler's reply. A failing commit goes to `done(error)`, and
  // Fastify sends that error through `onError` and the error handler; their reply runs onSend
  // again, which the `committed` set and `failed` (through shouldCommit) keep from committing
  // twice. Callback style rather than async: an untouched session costs no promise at all.
  const commit: onSendHookHandler<unknown> = (request, reply, payload, done) => {
    const session: Session<RegisteredSessionData> | undefined = request.session;
    if (session === undefined || committed.has(request) || closeIfUnused(session)) {
      done(null, payload);
      return;
    }
    if (!shouldCommit({ failed: failed.has(request), status: reply.statusCode }, options)) {
      done(null, payload);
      return;
    }
    committed.add(request);
    session.commit().then(
      ({ headers }) => {
        // `reply.header('set-cookie', ...)` appends to a Set-Cookie already on the reply (Fastify
        // keeps an array, so @fastify/cookie's cookies stay); commit returns at most one header
        // per name.
        for (const [name, value] of headers) reply.header(name, value);
        done(null, payload);
      },
      (error: unknown) => done(error as Error),
    );
  };

  // Fastify 5 forbids reference-type defaults: `session` stays undefined until `open` runs.
  app.decorateRequest('session');
  app.addHook('onRequest', open);
  app.addHook('onError', fail);
  app.addHook('onSend', commit);
};

/**
 * The Fastify plugin: `app.register(sessions, { store, secrets })`. Decorates every request with
 * a lazy `request.session`, commits it in `onSend` (so `Set-Cookie` is on normal replies,
 * redirects and early `reply.send()`s alike), skips the commit when the handler failed (unless
 * `commitOnError`), and lets `SessionError`s take Fastify's error path with their status.
 * Wrapped with `fastify-plugin` (`name: '@sessions/fastify'`, `fastify: '5.x'`), so the decorator
 * and hooks apply to the whole app. Never parses cookies through `@fastify/cookie`; coexists with it.
 */
export const sessions = fastifyPlugin(plugin, { fastify: '5.x', name: '@sessions/fastify' });
