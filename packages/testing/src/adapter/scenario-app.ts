import {
  isSessionError,
  type Session,
  type SessionKey,
  type SessionManager,
  type SessionValue,
} from '@sessions/core';
import { passScenarioGate } from './scenario-gates.js';

/** The session data of the scenario app: any key, any value in the domain. */
export type ScenarioData = Record<string, SessionValue>;

/** The request as the scenario app sees it. */
export interface ScenarioRequest {
  readonly method: string;
  /** The path without query, e.g. `/set/theme`. */
  readonly path: string;
  /** The raw request body ('' when there is none). */
  readonly body: string;
}

/** What the framework route must answer. */
export type ScenarioResponse =
  /** A JSON body with this status. */
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  /** A redirect through the framework's own redirect API (`c.redirect`, `reply.redirect`, `ctx.redirect`). */
  | { readonly kind: 'redirect'; readonly status: 302 | 303; readonly location: string };

/** What the scenario app needs beyond the request's session. */
export interface ScenarioAppOptions {
  /**
   * The manager the adapter opens sessions with (or one on the same store and secrets): the
   * user-session routes (`/user-sessions`, `/user-session/:handle`, `/revoke-others`) call its
   * `listUserSessions`, `revokeUserSession` and `revokeUserSessions`, and the admin routes
   * (`/admin/sessions/count`, `/admin/sessions/purge`) its `countSessions` and `purgeExpired`.
   * Without it those routes answer 501, and the scenarios using them fail saying so.
   */
  readonly manager?: SessionManager<ScenarioData> | undefined;
}

/** The body of `POST /sign-in`. */
interface SignInBody {
  user: string;
  info?: Record<string, string>;
  keep?: string[];
}

/** Thrown by the `/throw...` routes: the adapter must let the framework's error path handle it. */
export class ScenarioError extends Error {
  constructor() {
    super('scenario handler failed on purpose');
    this.name = 'ScenarioError';
  }
}

const json = (body: unknown, status = 200): ScenarioResponse => ({ kind: 'json', status, body });

function parse(body: string): SessionValue {
  return body === '' ? null : (JSON.parse(body) as SessionValue);
}

/**
 * The scenario app's logic, the same on every framework: an adapter's test driver mounts one
 * catch-all route that calls this with the request's session and writes the answer back.
 *
 * Routes: `GET /untouched` · `GET /get/:key` · `GET /all` · `GET /state` · `PUT /set/:key` (JSON body)
 * · `POST /incr/:key` (`session.update`: optimistic +1, `{ value }`) · `DELETE /key/:key` · `POST /clear` · `POST /regenerate` (optional JSON `{ "keep": [...] }`) ·
 * `POST /login` (regenerate with `keep: []`, set `user`, flash, redirect 303 to `/`) · `POST /destroy`
 * · `POST /logout` (destroy, redirect 303) · `POST /flash` (JSON body) · `GET /flash` ·
 * `POST /consent` · `POST /remember` · `PUT /save-then-throw/:key` · `PUT /throw/:key` ·
 * `GET /fail-500/:key` (sets the key, answers 500).
 *
 * User sessions: `POST /sign-in` (JSON `{ "user", "info"?, "keep"? }`: `session.signIn`) ·
 * `GET /user-id` (`{ userId }`, null when anonymous) · `GET /user-sessions` (the signed-in user's
 * `listUserSessions` with this session as `current`) · `DELETE /user-session/:handle`
 * (`revokeUserSession`: 200 `{ revoked: true }`, else 404 `{ revoked: false }`) ·
 * `POST /revoke-others` (`revokeUserSessions` except this one: `{ revoked: n }`). The last three
 * answer 401 when the session is not signed in and 501 without `options.manager`.
 *
 * Admin (never touch the request's session): `GET /admin/sessions/count` (`countSessions`:
 * `{ count }`) · `POST /admin/sessions/purge` (`purgeExpired`: `{ purged }`). A `SessionError` (a
 * store that cannot count or purge) is answered as `{ error: code }` with its status; 501 without
 * `options.manager`.
 *
 * Hostile-input and race routes: `PUT /slow-set/:key` (JSON body: loads the session, waits while a
 * scenario holds the gate named `key` — see `holdScenarioRequest` — then sets the key) ·
 * `POST /slow/:gate` (JSON `{ "method", "path", "body"? }`: loads the session, waits at the gate,
 * then answers as that route would on the same session) ·
 * `POST /set-entry` (JSON `{ "key", "value" }`: `set`, answering a `SessionError` as
 * `{ error: code }` with the error's status, so every framework reports it alike) ·
 * `POST /get-entry` (JSON `{ "key" }`: `{ has, value }`, a `SessionError` answered the same way).
 */
export async function handleScenario(
  session: Session<ScenarioData>,
  request: ScenarioRequest,
  options: ScenarioAppOptions = {},
): Promise<ScenarioResponse> {
  const [, route = '', arg = ''] = request.path.split('/');
  const key = decodeURIComponent(arg) as SessionKey<ScenarioData>;
  switch (`${request.method} /${route}`) {
    case 'GET /untouched':
      return json({ ok: true });
    case 'GET /get':
      return json({ value: (await session.get(key)) ?? null });
    case 'GET /all':
      return json(await session.getAll());
    case 'GET /state':
      await session.get('probe');
      return json({ isNew: session.isNew });
    case 'PUT /set':
      await session.set(key, parse(request.body));
      return json({ ok: true });
    case 'POST /incr': {
      const value = await session.update(key, (n) => (typeof n === 'number' ? n : 0) + 1, {
        retries: 100,
      });
      return json({ value });
    }
    case 'DELETE /key':
      await session.remove(key);
      return json({ ok: true });
    case 'POST /clear':
      await session.clear();
      return json({ ok: true });
    case 'POST /regenerate': {
      const options =
        request.body === '' ? undefined : (JSON.parse(request.body) as { keep?: string[] });
      await session.regenerate(options);
      return json({ ok: true });
    }
    case 'POST /login':
      await session.regenerate({ keep: [] });
      await session.set('user', parse(request.body));
      await session.flash('notice', 'signed in');
      return { kind: 'redirect', status: 303, location: '/' };
    case 'POST /destroy':
      await session.destroy();
      return json({ ok: true });
    case 'POST /logout':
      await session.destroy();
      return { kind: 'redirect', status: 303, location: '/' };
    case 'POST /flash':
      await session.flash('notice', parse(request.body));
      return json({ ok: true });
    case 'GET /flash':
      return json({ value: (await session.getFlash('notice')) ?? null });
    case 'POST /consent':
      session.allowStorage();
      await session.set('consented', true);
      return json({ ok: true });
    case 'POST /remember':
      await session.setExpiry({ idle: '14d', absolute: '30d', cookie: 'persistent' });
      await session.set('remembered', true);
      return json({ ok: true });
    case 'PUT /save-then-throw':
      await session.set(key, parse(request.body));
      await session.save();
      throw new ScenarioError();
    case 'PUT /throw':
      await session.set(key, parse(request.body));
      throw new ScenarioError();
    case 'GET /fail-500':
      await session.set(key, true);
      return json({ failed: true }, 500);
    case 'POST /sign-in': {
      const { user, info, keep } = JSON.parse(request.body) as SignInBody;
      await session.signIn(user, { info, keep });
      return json({ ok: true });
    }
    case 'GET /user-id':
      return json({ userId: (await session.getUserId()) ?? null });
    case 'GET /user-sessions':
    case 'DELETE /user-session':
    case 'POST /revoke-others':
      return userSessionRoute(session, route, key, options.manager);
    case 'GET /admin':
    case 'POST /admin':
      return adminRoute(`${request.method} ${request.path}`, options.manager);
    case 'PUT /slow-set':
      await session.get(key);
      await passScenarioGate(key);
      await session.set(key, parse(request.body));
      return json({ ok: true });
    case 'POST /slow': {
      // Load, wait at the gate, then run the route described by the body on the loaded session.
      const then = JSON.parse(request.body) as { method: string; path: string; body?: unknown };
      await session.get(key);
      await passScenarioGate(key);
      const body = then.body === undefined ? '' : JSON.stringify(then.body);
      return handleScenario(session, { method: then.method, path: then.path, body }, options);
    }
    case 'POST /set-entry':
    case 'POST /get-entry':
      return entryRoute(session, route, request.body);
    default:
      return json({ error: 'no such scenario route' }, 404);
  }
}

/** The answer of a route that needs `ScenarioAppOptions.manager` when the app was not given it. */
const noManager = (): ScenarioResponse =>
  json(
    {
      error:
        'the scenario app was not given the manager: call handleScenario(session, request, { manager })',
    },
    501,
  );

/** The routes on the signed-in user's sessions (`handle`: the decoded path segment). */
async function userSessionRoute(
  session: Session<ScenarioData>,
  route: string,
  handle: string,
  manager: SessionManager<ScenarioData> | undefined,
): Promise<ScenarioResponse> {
  if (manager === undefined) return noManager();
  const userId = await session.getUserId();
  if (userId === undefined) return json({ error: 'not signed in' }, 401);
  if (route === 'user-sessions') {
    return json(await manager.listUserSessions(userId, { current: session }));
  }
  if (route === 'user-session') {
    // Handed over as the client sent it: revokeUserSession checks its shape and its owner.
    const revoked = await manager.revokeUserSession(userId, handle);
    return json({ revoked }, revoked ? 200 : 404);
  }
  return json({ revoked: await manager.revokeUserSessions(userId, { except: session }) });
}

/** The admin routes (`route`: method and path), which call the manager and never the session. */
async function adminRoute(
  route: string,
  manager: SessionManager<ScenarioData> | undefined,
): Promise<ScenarioResponse> {
  if (route !== 'GET /admin/sessions/count' && route !== 'POST /admin/sessions/purge') {
    return json({ error: 'no such scenario route' }, 404);
  }
  if (manager === undefined) return noManager();
  try {
    return route === 'GET /admin/sessions/count'
      ? json({ count: await manager.countSessions() })
      : json({ purged: await manager.purgeExpired() });
  } catch (error) {
    if (!isSessionError(error)) throw error;
    return json({ error: error.code }, error.status);
  }
}

/** `POST /set-entry` and `POST /get-entry`: a key from the body, a `SessionError` as `{ error }`. */
async function entryRoute(
  session: Session<ScenarioData>,
  route: string,
  body: string,
): Promise<ScenarioResponse> {
  const { key, value } = JSON.parse(body) as {
    key: SessionKey<ScenarioData>;
    value?: SessionValue;
  };
  try {
    if (route === 'set-entry') {
      await session.set(key, value as SessionValue);
      return json({ ok: true });
    }
    const has = await session.has(key);
    return json({ has, value: has ? await session.get(key) : null });
  } catch (error) {
    if (!isSessionError(error)) throw error;
    return json({ error: error.code }, error.status);
  }
}
