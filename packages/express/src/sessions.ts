import {
  closeIfUnused,
  managerFromOptions,
  nodeHeaderSource,
  type RegisteredSessionData,
  type Session,
  type SessionAdapterOptions,
  SessionError,
  shouldCommit,
  type ValidSessionData,
} from '@sessions/core';
import type { RequestHandler } from 'express';
import { holdResponse } from './hold-response.js';

declare global {
  namespace Express {
    // The open interface of `express-serve-static-core` (what `@types/express-session` augments
    // too: installing both is a type conflict on `session`; migrate off express-session first).
    interface Request {
      /**
       * This request's session from `@sessions/express`, typed with the session data declared once
       * through `@sessions/core`'s `Register` (Express has no generic for what middleware adds to
       * `req`, so `Register` is how it is typed; `sessions<Data>()` does not change it). Lazy:
       * nothing is read until you use it. Set by the `sessions()` middleware: undefined in
       * middleware that runs before it.
       */
      session: Session<RegisteredSessionData>;
    }
  }
}

// Marks a response the middleware already holds, so a second installation fails loudly instead
// of committing twice.
const installed = new WeakSet<object>();

/**
 * Express middleware that gives every request a lazy `req.session` (no I/O until it is used) and
 * commits it (at most one store write) when the response starts, before its headers are written:
 * the first `writeHead`, `write`, `end` or `flushHeaders` waits for the commit, gets its
 * `Set-Cookie` (or token header) and then goes out, so `res.send`, `res.json`, `res.redirect`,
 * `res.sendFile`, piped streams and `res.status(204).end()` all carry it. A response started with a
 * 5xx status commits nothing (unless `commitOnError`); a failing commit (a store outage: a
 * `SessionError` with status 503) replaces the response and goes to `next(error)`, so Express's
 * error handlers answer it. Works with Express 4.21+ and 5.
 *
 * ```ts
 * const app = express();
 * app.use(sessions({ store: createMemoryStore(), secrets: [process.env.SESSION_SECRET!] }));
 * ```
 */
export function sessions<Data extends ValidSessionData<Data> = RegisteredSessionData>(
  options: SessionAdapterOptions<Data>,
): RequestHandler {
  const manager = managerFromOptions<Data>(options);
  return function sessionMiddleware(req, res, next) {
    if (installed.has(res)) {
      next(
        new SessionError(
          'MISCONFIGURED',
          '@sessions/express: sessions() ran twice for one request; install it once, before the routes that use req.session.',
        ),
      );
      return;
    }
    installed.add(res);
    const session = manager.session(nodeHeaderSource(req.headers, req.rawHeaders), {
      // req.protocol and req.hostname honour Express's `trust proxy` setting (X-Forwarded-*).
      url: () => `${req.protocol}://${req.hostname ?? 'localhost'}${req.originalUrl}`,
      // For client binding (`binding.ip`); `req.ip` honours `trust proxy` as well.
      clientAddress: () => req.ip,
    });
    // Session<Data> is what Register declares (see the augmentation above).
    (req as { session: unknown }).session = session;
    holdResponse(res, {
      // An untouched session lets the response through at once, nothing held.
      start: (status) =>
        !closeIfUnused(session) && shouldCommit({ failed: false, status }, options)
          ? session.commit().then(({ headers }) => headers)
          : undefined,
      // Nothing of the response was sent (or replaying it threw): Express's error path answers.
      fail: (error) => next(error),
    });
    next();
  };
}
