import {
  closeIfUnused,
  type HeaderSource,
  managerFromOptions,
  type NodeIncomingHeaders,
  nodeHeaderSource,
  type RegisteredSessionData,
  type Session,
  type SessionAdapterOptions,
  type SessionData,
  type SessionStore,
  shouldCommit,
  type ValidSessionData,
} from '@sessions/core';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { connectionAddress } from './client-address.js';

/**
 * The Hono `Env` the middleware adds: `c.get('session')` and `c.var.session` are a
 * `Session<Data>`. Pass it to `new Hono<SessionEnv<AppData>>()`, or intersect it with your own
 * env (`SessionEnv<AppData> & { Bindings: { ... } }`).
 */
export type SessionEnv<Data extends SessionData = RegisteredSessionData> = {
  Variables: { session: Session<Data> };
};

/** What `@hono/node-server` puts in `c.env`: Node's own request. */
interface NodeServerBindings {
  readonly incoming?: { readonly headers?: NodeIncomingHeaders; readonly rawHeaders?: unknown };
}

/**
 * The request headers as the engine reads them. On `@hono/node-server`, Node's own headers are
 * read in place: going through `c.req` would first build a Fetch `Request` and copy every header
 * into a validated `Headers` object, the largest cost of a session request there. Elsewhere (Bun,
 * Deno, Workers, `app.request`) the request already is a Fetch `Request`.
 */
function requestHeaders(c: Context): HeaderSource {
  const incoming = (c.env as NodeServerBindings | undefined)?.incoming;
  if (incoming?.headers !== undefined && Array.isArray(incoming.rawHeaders)) {
    return nodeHeaderSource(incoming.headers, incoming.rawHeaders as readonly string[]);
  }
  return { get: (name) => c.req.header(name) ?? null };
}

/**
 * Options of {@link sessions}: the manager's options (or `{ manager }`), `commitOnError`, and
 * `storeFor` to pick the store per request.
 */
export type HonoSessionOptions<
  Data extends SessionData = RegisteredSessionData,
  E extends Env = Env,
> = SessionAdapterOptions<Data> & {
  /**
   * Picks this request's store, e.g. one wrapping a Cloudflare Workers binding from `c.env`.
   * Called once per request before the handler (it should only wrap, never connect); the store it
   * returns replaces the manager's `store` for that request. Default: the manager's `store`.
   *
   * ```ts
   * storeFor: (c: Context<AppEnv>) => createKvStore(c.env.SESSIONS)
   * ```
   */
  storeFor?: ((c: Context<E>) => SessionStore) | undefined;
  /**
   * The client's IP address, for client binding (`binding.ip`; called only when a binding needs
   * it). Default: the connection's peer on `@hono/node-server`, `Deno.serve` and `Bun.serve`, which
   * behind a proxy is the proxy. Hono has no trust-proxy setting: read a forwarding header only
   * when your own proxy sets it and clients cannot, e.g. on Cloudflare Workers:
   *
   * ```ts
   * clientAddress: (c) => c.req.header('cf-connecting-ip')
   * ```
   */
  clientAddress?: ((c: Context<E>) => string | undefined) | undefined;
};

/**
 * Hono middleware that gives every request a lazy `c.var.session` (no I/O until the handler reads
 * or writes it) and commits it after the handler: at most one store write, then the `Set-Cookie`
 * (or token header) is appended to `c.res`. Nothing is committed when the handler threw or answered
 * 5xx, unless `commitOnError`. A `SessionError` (store outage 503, ambiguous cookies 400), from the
 * handler or from the commit, goes to Hono's error path (`app.onError`; by default Hono answers
 * with the error's `getResponse()`). Web-standard only, so it runs wherever Hono runs.
 *
 * ```ts
 * type AppSession = { views: number };
 * const app = new Hono<SessionEnv<AppSession>>();
 * app.use(sessions<AppSession>({ store: createMemoryStore(), secrets: [SESSION_SECRET] }));
 * ```
 */
export function sessions<
  Data extends ValidSessionData<Data> = RegisteredSessionData,
  E extends Env = Env,
>(options: HonoSessionOptions<Data, E>): MiddlewareHandler<SessionEnv<Data>> {
  const manager = managerFromOptions<Data>(options);
  const clientAddress: (c: Context<E>) => string | undefined =
    options.clientAddress ?? connectionAddress;
  return async (c, next) => {
    // Hono types a middleware by the env it adds; at run time `c` is the app's context, carrying
    // the bindings of the app's env `E`.
    const store = options.storeFor?.(c as unknown as Context<E>);
    // Headers and URL are read only if the session is used: on @hono/node-server, touching
    // `c.req.raw` builds a Request (and its Headers) that an untouched request never needs.
    let headers: HeaderSource | undefined;
    const session = manager.session(
      {
        get: (name) => {
          headers ??= requestHeaders(c);
          return headers.get(name);
        },
      },
      {
        store,
        url: () => c.req.url,
        // Read only when client binding needs it (never when binding is off).
        clientAddress: () => clientAddress(c as unknown as Context<E>),
      },
    );
    c.set('session', session);
    try {
      await next();
    } catch (error) {
      // Hono routes thrown Errors to onError and sets `c.error`; only non-Error throws (and
      // failing error handlers) get here.
      if (shouldCommit({ failed: true, status: 500 }, options)) await session.commit();
      throw error;
    }
    // An untouched session ends here, without a promise: the hottest path, kept cheap.
    if (closeIfUnused(session)) return;
    if (!shouldCommit({ failed: c.error !== undefined, status: c.res.status }, options)) return;
    // A commit failure throws from here: Hono's compose hands it to onError like a handler error.
    const { headers: outgoing } = await session.commit();
    if (outgoing.length === 0) return;
    // After next() the response is final. Its headers are usually mutable (c.text, c.json, ...):
    // append in place. Immutable ones (a returned fetch() or Response.redirect()) throw, and then
    // c.header copies the response first (streams stay unread), which costs a new Response.
    try {
      for (const [name, value] of outgoing) c.res.headers.append(name, value);
    } catch {
      for (const [name, value] of outgoing) c.header(name, value, { append: true });
    }
  };
}
