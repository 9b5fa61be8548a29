import {
  isSessionError,
  type Session,
  type SessionManager,
  type SessionValue,
  type UserSessionInfo,
  validateUserId,
} from '@sessions/core';
import type { DemoSession } from './demo-session.js';
import { renderPage } from './page.js';

/**
 * The demo's behaviour, free of any framework: each action takes the request's session and plain
 * inputs, and returns what to answer. The demo apps only route requests here and map the reply
 * onto their framework's response (`message` is plain text, without a trailing newline).
 */

/** Answered for bad input: the client's mistake, never a 500. */
export interface DemoError {
  readonly kind: 'error';
  readonly status: 400 | 413;
  readonly message: string;
}

/**
 * The answer of a `/api/sessions` route: JSON with a status (errors are `{ "error": "..." }`), or
 * an empty 204.
 */
export type DemoApiReply =
  | { readonly kind: 'json'; readonly status: 200 | 401 | 404 | 501; readonly body: unknown }
  | { readonly kind: 'no-content' };

/** The JSON view of a session (`GET /api/session`): never its ID. */
export interface DemoState {
  views: number;
  user: string | null;
  prefs: Record<string, unknown>;
}

/** Preference keys `PUT /api/prefs/:key` accepts. */
const PREF_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** Each preference is its own session key, so parallel writes never overwrite each other. */
const PREF_PREFIX = 'pref:';
/** The longest username `POST /login` accepts (after trimming). */
const USERNAME_MAX = 64;
/** The most of a browser's User-Agent kept for the session list (core caps sign-in info at 2 KiB). */
const USER_AGENT_MAX = 256;

const error = (status: 400 | 413, message: string): DemoError => ({
  kind: 'error',
  status,
  message,
});

/** The session's counter, user and preferences (`GET /api/session`). */
export async function sessionState(session: Session<DemoSession>): Promise<DemoState> {
  const all = await session.getAll();
  const prefs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    // defineProperty: a preference named `__proto__` stays plain data.
    if (key.startsWith(PREF_PREFIX))
      Object.defineProperty(prefs, key.slice(PREF_PREFIX.length), { value, enumerable: true });
  }
  return { views: all.views ?? 0, user: all.user ?? null, prefs };
}

/**
 * `GET /`: counts the visit, takes the one-time flash and renders the page's HTML, with the
 * signed-in user's sessions ("Your sessions") listed through `sessions`.
 */
export async function showHome(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
): Promise<string> {
  const views = ((await session.get('views')) ?? 0) + 1;
  await session.set('views', views);
  const flash = (await session.getFlash<string>('notice')) ?? null;
  const { user, prefs } = await sessionState(session);
  const userId = await session.getUserId();
  const list = userId === undefined ? null : await userSessions(sessions, userId, session);
  return renderPage({ views, user, flash, prefs, sessions: list });
}

/**
 * `POST /login`: `username` is the form field as the framework parsed it (a string when given
 * once), `userAgent` the request's `User-Agent` header. Signs the session in (a new ID; the visit
 * counter and preferences carry over, nothing else does), records the browser for the session
 * list, stores the user and flashes a notice; answer a 303 to `/`.
 */
export async function signIn(
  session: Session<DemoSession>,
  username: unknown,
  userAgent?: string | null,
): Promise<{ readonly kind: 'redirect' } | DemoError> {
  const name = typeof username === 'string' ? username.trim() : '';
  if (name === '' || name.length > USERNAME_MAX)
    return error(400, `username: 1 to ${USERNAME_MAX} characters`);
  const prefs = (await session.keys()).filter((key) => key.startsWith(PREF_PREFIX));
  await session.signIn(await demoUserId(name), {
    info: signInInfo(userAgent),
    keep: ['views', ...prefs],
  });
  await session.set('user', name);
  await session.flash('notice', `Signed in as ${name}`);
  return { kind: 'redirect' };
}

/**
 * The user ID a username signs in as: the name itself, or, for a name core refuses as a user ID
 * (control characters), a hash of it, so every name the form accepts can sign in. The demo has no
 * passwords: a name is all it takes to be that user.
 */
async function demoUserId(name: string): Promise<string> {
  try {
    validateUserId(name);
    return name;
  } catch {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(name));
    const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0'));
    return `sha256:${hex.join('')}`;
  }
}

/** Sign-in info for the session list: the browser's User-Agent, cleaned and cut short. */
function signInInfo(userAgent: string | null | undefined): Record<string, string> {
  // Attacker-controlled: control characters out, at most USER_AGENT_MAX characters, never half a
  // surrogate pair (the page escapes it when it shows it).
  const clean = (userAgent ?? '')
    .replace(/\p{Cc}/gu, '')
    .slice(0, USER_AGENT_MAX)
    .toWellFormed()
    .trim();
  return clean === '' ? {} : { userAgent: clean };
}

/**
 * The user's live sessions, `session` marked current; `'unavailable'` when the store has no user
 * index (core answers `MISCONFIGURED`), so the page still renders on such a store.
 */
async function userSessions(
  sessions: SessionManager<DemoSession>,
  userId: string,
  session: Session<DemoSession>,
): Promise<UserSessionInfo[] | 'unavailable'> {
  try {
    return await sessions.listUserSessions(userId, { current: session });
  } catch (caught) {
    if (isSessionError(caught, 'MISCONFIGURED')) return 'unavailable';
    throw caught;
  }
}

const apiError = (status: 401 | 404 | 501, message: string): DemoApiReply => ({
  kind: 'json',
  status,
  body: { error: message },
});
const NOT_SIGNED_IN = 'not signed in';
const NO_USER_INDEX = 'this session store cannot list sessions (it has no user index)';

/**
 * Ends the signed-in user's session named by `handle`, as the client sent it (revokeUserSession
 * checks its shape and that it is this user's). The requesting session's own handle is a sign-out:
 * it is destroyed here, so its cookie is cleared too.
 */
async function revokeOne(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
  userId: string,
  handle: string,
): Promise<'revoked' | 'signed-out' | 'missing' | 'unavailable'> {
  const list = await userSessions(sessions, userId, session);
  if (list === 'unavailable') return 'unavailable';
  if (list.some((entry) => entry.current && entry.handle === handle)) {
    await session.destroy();
    return 'signed-out';
  }
  return (await sessions.revokeUserSession(userId, handle)) ? 'revoked' : 'missing';
}

/**
 * `GET /api/sessions`: the signed-in user's live sessions as JSON, one object per session
 * (`UserSessionInfo`: `handle`, `current`, `createdAt`, `lastActiveAt`, `expiresAt` in epoch ms,
 * `info`), exactly one `current: true`. 401 when not signed in, 501 on a store without a user index.
 */
export async function listSessions(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
): Promise<DemoApiReply> {
  const userId = await session.getUserId();
  if (userId === undefined) return apiError(401, NOT_SIGNED_IN);
  const list = await userSessions(sessions, userId, session);
  if (list === 'unavailable') return apiError(501, NO_USER_INDEX);
  return { kind: 'json', status: 200, body: list };
}

/**
 * `DELETE /api/sessions/:handle`: ends that session if it is one of the signed-in user's (204),
 * else 404, whatever the handle (another user's, an ended one, a malformed one). 401 when not
 * signed in, 501 on a store without a user index.
 */
export async function deleteSession(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
  handle: string,
): Promise<DemoApiReply> {
  const userId = await session.getUserId();
  if (userId === undefined) return apiError(401, NOT_SIGNED_IN);
  switch (await revokeOne(session, sessions, userId, handle)) {
    case 'unavailable':
      return apiError(501, NO_USER_INDEX);
    case 'missing':
      return apiError(404, 'no such session');
    default:
      return { kind: 'no-content' };
  }
}

/**
 * `POST /sessions/:handle/revoke` (a revoke button of the page): ends that session as
 * {@link deleteSession} does and flashes what happened; answer a 303 to `/`. Not signed in, it
 * does nothing.
 */
export async function revokeSessionFromPage(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
  handle: string,
): Promise<{ readonly kind: 'redirect' }> {
  const userId = await session.getUserId();
  if (userId === undefined) return { kind: 'redirect' };
  const outcome = await revokeOne(session, sessions, userId, handle);
  if (outcome === 'revoked') await session.flash('notice', 'Signed out that session');
  if (outcome === 'missing') await session.flash('notice', 'That session had already ended');
  if (outcome === 'unavailable') await session.flash('notice', `Sorry: ${NO_USER_INDEX}`);
  return { kind: 'redirect' };
}

/**
 * `POST /sessions/revoke-others` (the "sign out everywhere else" button): ends every session of
 * the signed-in user but this one and flashes how many; answer a 303 to `/`. Not signed in, it
 * does nothing.
 */
export async function revokeOtherSessions(
  session: Session<DemoSession>,
  sessions: SessionManager<DemoSession>,
): Promise<{ readonly kind: 'redirect' }> {
  const userId = await session.getUserId();
  if (userId === undefined) return { kind: 'redirect' };
  let ended: number;
  try {
    ended = await sessions.revokeUserSessions(userId, { except: session });
  } catch (caught) {
    if (!isSessionError(caught, 'MISCONFIGURED')) throw caught;
    await session.flash('notice', `Sorry: ${NO_USER_INDEX}`);
    return { kind: 'redirect' };
  }
  await session.flash('notice', `Signed out ${ended} other session${ended === 1 ? '' : 's'}`);
  return { kind: 'redirect' };
}

/** `POST /logout`: deletes the session; answer a 303 to `/`. */
export async function signOut(
  session: Session<DemoSession>,
): Promise<{ readonly kind: 'redirect' }> {
  await session.destroy();
  return { kind: 'redirect' };
}

/**
 * `PUT /api/prefs/:key`: stores the body, any JSON value whatever its content type, under the
 * preference `key`; answer 204. A bad key or body is a 400, a value too large for the session a
 * 413; other session errors (a store outage) are thrown for the framework's error path.
 */
export async function savePref(
  session: Session<DemoSession>,
  key: string,
  bodyText: string | undefined,
): Promise<{ readonly kind: 'stored' } | DemoError> {
  if (!PREF_KEY.test(key)) return error(400, 'preference key: 1 to 64 of A-Z a-z 0-9 _ -');
  let value: SessionValue;
  try {
    value = JSON.parse(bodyText ?? '') as SessionValue;
  } catch {
    return error(400, 'body: a JSON value');
  }
  try {
    await session.set(`${PREF_PREFIX}${key}`, value);
  } catch (caught) {
    // Too large or too deep is the client's fault: 413/400, not the SessionError's 500.
    if (isSessionError(caught, 'PAYLOAD_TOO_LARGE')) return error(413, 'preference too large');
    if (isSessionError(caught, 'INVALID_VALUE')) return error(400, 'body: a storable JSON value');
    throw caught;
  }
  return { kind: 'stored' };
}
