import { isSessionError, type Session, type SessionValue } from '@sessions/core';
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

/** `GET /`: counts the visit, takes the one-time flash and renders the page's HTML. */
export async function showHome(session: Session<DemoSession>): Promise<string> {
  const views = ((await session.get('views')) ?? 0) + 1;
  await session.set('views', views);
  const flash = (await session.getFlash<string>('notice')) ?? null;
  const { user, prefs } = await sessionState(session);
  return renderPage({ views, user, flash, prefs });
}

/**
 * `POST /login`: `username` is the form field as the framework parsed it (a string when given
 * once). Moves the session to a new ID, stores the user and flashes a notice; answer a 303 to `/`.
 */
export async function signIn(
  session: Session<DemoSession>,
  username: unknown,
): Promise<{ readonly kind: 'redirect' } | DemoError> {
  const name = typeof username === 'string' ? username.trim() : '';
  if (name === '' || name.length > USERNAME_MAX)
    return error(400, `username: 1 to ${USERNAME_MAX} characters`);
  await session.regenerate();
  await session.set('user', name);
  await session.flash('notice', `Signed in as ${name}`);
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
