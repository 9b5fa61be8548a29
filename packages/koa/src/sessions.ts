import {
  closeIfUnused,
  managerFromOptions,
  nodeHeaderSource,
  type RegisteredSessionData,
  type Session,
  type SessionAdapterOptions,
  type SessionData,
  shouldCommit,
  type ValidSessionData,
} from '@sessions/core';
import type { BaseContext, DefaultState, Middleware } from 'koa';

declare module 'koa' {
  interface DefaultContext {
    /**
     * The request's session from `@sessions/koa`, typed with the session data declared through
     * `@sessions/core`'s `Register`. Lazy: nothing is read until you use it.
     */
    session: Session<RegisteredSessionData>;
  }
}

/**
 * The context property the middleware adds. Pass it as Koa's context generic to type the session
 * with an explicit data type instead of `Register`:
 * `new Koa<DefaultState, SessionContext<AppData>>()` or `new Router<DefaultState, SessionContext<AppData>>()`.
 */
export interface SessionContext<Data extends SessionData = RegisteredSessionData> {
  /** The request's session. Lazy: nothing is read until you use it. */
  session: Session<Data>;
}

/**
 * Koa middleware that gives every request a lazy `ctx.session` (no I/O until it is used), runs
 * the rest of the chain, then commits the session (at most one store write) and appends its
 * `Set-Cookie` (or token) header before Koa writes the response. When downstream throws, or
 * leaves a 5xx status, nothing is committed (unless `commitOnError`) and the error goes on to
 * Koa's error handling; a `SessionError` carries its `status` (503 for a store outage, 400 for
 * ambiguous cookies), which Koa answers with. A failing commit throws the same way.
 *
 * ```ts
 * const app = new Koa();
 * app.use(sessions({ store: createMemoryStore(), secrets: [process.env.SESSION_SECRET!] }));
 * ```
 */
export function sessions<Data extends ValidSessionData<Data> = RegisteredSessionData>(
  options: SessionAdapterOptions<Data>,
): Middleware<DefaultState, SessionContext<Data>> {
  const manager = managerFromOptions<Data>(options);
  const commit = async (ctx: BaseContext, session: Session<Data>) => {
    const { headers } = await session.commit();
    for (const [name, value] of headers) ctx.append(name, value);
  };
  return async function sessionMiddleware(ctx, next) {
    // ctx.href honours `app.proxy` (X-Forwarded-Proto), so the insecure-request event is right;
    // ctx.ip likewise honours it (X-Forwarded-For) for client binding, and is '' when unknown.
    const session = manager.session(nodeHeaderSource(ctx.req.headers, ctx.req.rawHeaders), {
      url: () => ctx.href,
      clientAddress: () => ctx.ip || undefined,
    });
    ctx.session = session;
    try {
      await next();
    } catch (error) {
      // Appended headers survive only if an upstream middleware handles the error itself.
      if (shouldCommit({ failed: true, status: ctx.status }, options)) await commit(ctx, session);
      throw error;
    }
    // An untouched session ends here, without a promise: the hottest path, kept cheap.
    if (closeIfUnused(session)) return;
    if (shouldCommit({ failed: false, status: ctx.status }, options)) await commit(ctx, session);
  };
}
