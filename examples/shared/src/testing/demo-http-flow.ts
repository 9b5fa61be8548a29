import { expect } from 'vitest';
import type { DemoState } from '../demo-actions.js';

/**
 * The demo's HTTP contract, checked the same way against every demo app: each check takes the
 * base URL of a running demo (memory store, cookies `Secure` by default) and talks real HTTP to
 * it. Only the demos' tests import this module, never the apps.
 */

/** `fetch` for one user: keeps the session cookie between calls, never follows redirects. */
export type DemoClient = (path: string, init?: RequestInit) => Promise<Response>;

/** A tiny cookie-keeping client over real HTTP, sending `userAgent` when given. */
export function cookieClient(base: string, userAgent?: string): DemoClient {
  let cookie = '';
  return async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    if (userAgent !== undefined) headers.set('user-agent', userAgent);
    const response = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      cookie = /Max-Age=0/.test(line) ? '' : pair;
    }
    return response;
  };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  body: new URLSearchParams(fields),
});
const put = (body?: string, type?: string): RequestInit => ({
  method: 'PUT',
  ...(body === undefined ? {} : { body }),
  ...(type === undefined ? {} : { headers: { 'content-type': type } }),
});
const EMPTY_STATE = { views: 0, user: null, prefs: {} };
/** A session ID's shape (32 random bytes, base64url): it must never reach a response body. */
const SESSION_ID = /[A-Za-z0-9_-]{43}/;

/** Counts visits, signs in with a flash shown once, stores prefs, signs out. */
export async function checkVisitSignInPrefsSignOut(base: string): Promise<void> {
  const get = cookieClient(base);
  const first = await get('/');
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8$/i);
  expect(first.headers.getSetCookie()[0]).toMatch(/^sid=.+; HttpOnly; Secure; SameSite=Lax$/);
  expect(await (await get('/')).text()).toContain('<strong id="views">2</strong>');

  const login = await get('/login', form({ username: ' ada ' }));
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).toBe('/');
  expect(login.headers.getSetCookie()).toHaveLength(1);
  const home = await (await get('/')).text();
  expect(home).toContain('<p class="flash" id="flash">Signed in as ada</p>');
  expect(home).toContain('<strong id="user">ada</strong>');
  expect(await (await get('/')).text()).not.toContain('id="flash"');

  expect((await get('/api/prefs/theme', put('"dark"'))).status).toBe(204);
  // Each preference is its own session key, so parallel writes keep each other's values.
  const parallel = await Promise.all([
    get('/api/prefs/size', put('17')),
    get('/api/prefs/layout', put('{"a":1}', 'application/json')),
  ]);
  expect(parallel.map((response) => response.status)).toEqual([204, 204]);
  const session = await get('/api/session');
  expect(session.headers.get('content-type')).toMatch(/^application\/json/);
  const state = await session.json();
  expect(state).toEqual({
    views: 4,
    user: 'ada',
    prefs: { theme: 'dark', size: 17, layout: { a: 1 } },
  });
  expect(JSON.stringify(state)).not.toMatch(SESSION_ID);
  expect(await (await get('/')).text()).toContain('data-theme="dark"');

  const logout = await get('/logout', { method: 'POST' });
  expect(logout.status).toBe(303);
  expect(logout.headers.get('location')).toBe('/');
  expect(logout.headers.getSetCookie()[0]).toMatch(/^sid=; Path=\/; Max-Age=0/);
  expect(await (await get('/api/session')).json()).toEqual(EMPTY_STATE);
}

/** Bad input is the client's mistake: 400 (413 when too large), never 500, and nothing stored. */
export async function checkBadInput(base: string): Promise<void> {
  const get = cookieClient(base);
  const statusOf = async (path: string, init: RequestInit) => (await get(path, init)).status;

  expect(await statusOf('/api/prefs/theme', put('not json'))).toBe(400);
  expect(await statusOf('/api/prefs/theme', put(''))).toBe(400);
  expect(await statusOf('/api/prefs/theme', put())).toBe(400);
  expect(await statusOf('/api/prefs/bad%20key', put('1'))).toBe(400);
  expect(await statusOf(`/api/prefs/${'k'.repeat(65)}`, put('1'))).toBe(400);
  expect(await statusOf('/api/prefs/huge', put(JSON.stringify('x'.repeat(70_000))))).toBe(413);
  expect(await statusOf('/api/prefs/deep', put(`${'['.repeat(40)}${']'.repeat(40)}`))).toBe(400);
  expect(await statusOf('/api/prefs/lone', put('"\\ud800"'))).toBe(400);

  expect(await statusOf('/login', form({ username: '' }))).toBe(400);
  expect(await statusOf('/login', form({ username: '   ' }))).toBe(400);
  expect(await statusOf('/login', form({ username: 'a'.repeat(65) }))).toBe(400);
  expect(await statusOf('/login', { method: 'POST', body: '{"username":"ada"}' })).toBe(400);
  expect(await statusOf('/login', { method: 'POST' })).toBe(400);
  expect(await (await get('/api/session')).json()).toEqual(EMPTY_STATE);

  const tampered = await fetch(`${base}/api/session`, {
    headers: { cookie: 'sid=AAAA.BBBB; sid=%00' },
  });
  expect(tampered.status).toBe(200);
  expect(tampered.headers.getSetCookie()).toEqual([]);
}

/**
 * A preference body is its JSON value whatever its content type (the page sends JSON, `fetch` a
 * string as text/plain, `curl -d` a form type), and a key such as `__proto__` stays plain data.
 */
export async function checkPrefBodies(base: string): Promise<void> {
  const get = cookieClient(base);
  expect((await get('/api/prefs/theme', put('"dark"', 'application/json'))).status).toBe(204);
  const formType = 'application/x-www-form-urlencoded';
  expect((await get('/api/prefs/theme', put('{"a":[1,2]}', formType))).status).toBe(204);
  expect((await (await get('/api/session')).json()).prefs).toEqual({ theme: { a: [1, 2] } });
  expect((await get('/api/prefs/theme', put('{bad', 'application/json'))).status).toBe(400);
  expect(
    (await get('/api/prefs/theme', put(`"${'x'.repeat(100_000)}"`, 'text/plain'))).status,
  ).toBe(413);

  expect((await get('/api/prefs/__proto__', put('{"x":1}'))).status).toBe(204);
  const { prefs } = (await (await get('/api/session')).json()) as { prefs: object };
  expect(Object.getOwnPropertyNames(prefs)).toEqual(['theme', '__proto__']);
  expect(Object.getPrototypeOf(prefs)).toBe(Object.prototype);
}

/** One entry of `GET /api/sessions`. */
interface ListedSession {
  handle: string;
  current: boolean;
  createdAt: number;
  lastActiveAt: number;
  expiresAt: number;
  info: Record<string, string>;
}

/** The client's `GET /api/sessions`, which must answer 200 with JSON. */
async function listedSessions(get: DemoClient): Promise<ListedSession[]> {
  const response = await get('/api/sessions');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as ListedSession[];
}

/**
 * `GET /api/sessions` and `DELETE /api/sessions/:handle`, and the page's revoke buttons: three
 * browsers of one user list the same three sessions, each with itself as the one current; a
 * revoked session's next request is anonymous; deleting twice is 204 then 404; another user's
 * handle or a malformed one is 404 and revokes nothing; signed out is 401.
 */
export async function checkUserSessions(base: string): Promise<void> {
  // Names of their own: the demo server is shared with the other checks, which sign in too.
  const run = crypto.randomUUID().slice(0, 8);
  const [lin, bobby] = [`lin-${run}`, `bobby-${run}`];
  const signedIn = async (name: string, agent: string) => {
    const get = cookieClient(base, agent);
    const login = await get('/login', form({ username: name }));
    expect(login.status).toBe(303);
    return get;
  };
  const userOf = async (get: DemoClient) =>
    ((await (await get('/api/session')).json()) as DemoState).user;

  const stranger = cookieClient(base);
  const anonymous = await stranger('/api/sessions');
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await anonymous.json()).toEqual({ error: 'not signed in' });
  expect(anonymous.headers.getSetCookie()).toEqual([]);
  expect((await stranger(`/api/sessions/${'A'.repeat(22)}`, { method: 'DELETE' })).status).toBe(
    401,
  );

  const a = await signedIn(lin, 'Demo A');
  const b = await signedIn(lin, 'Demo B');
  const c = await signedIn(lin, 'Demo <C>');
  const bob = await signedIn(bobby, 'Demo Bob');

  const listA = await listedSessions(a);
  expect(listA.map((entry) => entry.info.userAgent).sort()).toEqual([
    'Demo <C>',
    'Demo A',
    'Demo B',
  ]);
  for (const [get, agent] of [
    [a, 'Demo A'],
    [b, 'Demo B'],
    [c, 'Demo <C>'],
  ] as const) {
    const list = get === a ? listA : await listedSessions(get);
    expect(list.map((entry) => entry.handle).sort()).toEqual(
      listA.map((entry) => entry.handle).sort(),
    );
    const current = list.filter((entry) => entry.current);
    expect(
      current.map((entry) => entry.info.userAgent),
      'exactly one current',
    ).toEqual([agent]);
    for (const entry of list) {
      expect(entry.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(typeof entry.current).toBe('boolean');
    }
  }
  expect(JSON.stringify(listA)).not.toMatch(SESSION_ID);
  const handleOf = (agent: string) =>
    listA.find((entry) => entry.info.userAgent === agent)?.handle ?? '';
  // The page lists them too, escaped.
  const page = await (await a('/')).text();
  expect(page).toContain('Your sessions');
  expect(page).toContain('Demo &#60;C&#62;');
  expect(page).not.toContain('Demo <C>');

  const [bobs] = await listedSessions(bob);
  const del = (handle: string) => a(`/api/sessions/${handle}`, { method: 'DELETE' });
  expect((await del(bobs?.handle ?? '')).status, "another user's handle").toBe(404);
  for (const malformed of ['not-a-handle', 'A'.repeat(22), `${handleOf('Demo B')}x`]) {
    expect((await del(malformed)).status, `handle ${malformed}`).toBe(404);
  }
  expect(await userOf(bob)).toBe(bobby);
  expect(await listedSessions(a)).toHaveLength(3);

  const deleted = await del(handleOf('Demo <C>'));
  expect(deleted.status).toBe(204);
  expect(await deleted.text()).toBe('');
  expect((await del(handleOf('Demo <C>'))).status, 'deleting twice').toBe(404);
  expect(await userOf(c)).toBeNull();
  expect((await c('/api/sessions')).status).toBe(401);
  expect((await listedSessions(a)).map((entry) => entry.info.userAgent).sort()).toEqual([
    'Demo A',
    'Demo B',
  ]);

  // The page's buttons: plain form posts that redirect home.
  const d = await signedIn(lin, 'Demo D');
  const revokeOne = await a(
    `/sessions/${(await listedSessions(d)).find((e) => e.current)?.handle}/revoke`,
    {
      method: 'POST',
    },
  );
  expect(revokeOne.status).toBe(303);
  expect(revokeOne.headers.get('location')).toBe('/');
  expect(await userOf(d)).toBeNull();
  const others = await a('/sessions/revoke-others', { method: 'POST' });
  expect(others.status).toBe(303);
  expect(others.headers.get('location')).toBe('/');
  expect(await (await a('/')).text()).toContain('Signed out 1 other session');
  expect(await userOf(b)).toBeNull();
  const [only, ...rest] = await listedSessions(a);
  expect(rest).toEqual([]);
  expect(only).toMatchObject({ current: true, info: { userAgent: 'Demo A' } });
  expect(await userOf(bob)).toBe(bobby);

  expect((await a('/logout', { method: 'POST' })).status).toBe(303);
  expect((await a('/api/sessions')).status).toBe(401);
}

/** An unknown route is a 404 that starts no session. */
export async function checkUnknownRoute(base: string): Promise<void> {
  const missing = await fetch(`${base}/nope`);
  expect(missing.status).toBe(404);
  expect(missing.headers.getSetCookie()).toEqual([]);
}

/** Every shared check by its test name: `for (const [name, check] of …) it(name, () => check(base))`. */
export const DEMO_HTTP_CHECKS: Readonly<Record<string, (base: string) => Promise<void>>> = {
  'counts visits, signs in with a flash shown once, stores prefs, signs out':
    checkVisitSignInPrefsSignOut,
  'rejects bad input with 400 (413 when too large), never 500': checkBadInput,
  'reads a preference whatever its content type, keeping __proto__ as plain data': checkPrefBodies,
  "lists and revokes the signed-in user's sessions (GET/DELETE /api/sessions, page buttons)":
    checkUserSessions,
  'answers an unknown route 404 without a session cookie': checkUnknownRoute,
};

/** A Node server's loopback base URL (`http://127.0.0.1:PORT`). */
export function loopbackBase(server: { address(): unknown }): string {
  const address = server.address();
  const port = typeof address === 'object' && address && 'port' in address ? address.port : 0;
  return `http://127.0.0.1:${port}`;
}

/** Closes a Node server, ending kept-alive connections so it does not wait for them. */
export function closeServer(server: {
  close(callback: () => void): unknown;
  closeAllConnections?: () => void;
}): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
