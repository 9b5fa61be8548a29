import { expect } from 'vitest';

const TOKEN = /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;
/** The session cookie of a write: persistent (idle 1 day), not Secure (plain HTTP on 127.0.0.1). */
const ISSUED =
  /^sid=([A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}); Path=\/; Max-Age=86400; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax$/;
const DELETED =
  /^sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/;

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly setCookies: string[];
  readonly body: string;
}

/** One HTTP request from outside the runtime (the host Node's fetch), never following redirects. */
async function send(
  base: string,
  method: string,
  path: string,
  options: { cookie?: string | undefined; form?: Record<string, string> } = {},
): Promise<Reply> {
  const headers = new Headers();
  if (options.cookie) headers.set('cookie', `sid=${options.cookie}`);
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(options.form ? { body: new URLSearchParams(options.form) } : {}),
  });
  return {
    status: response.status,
    headers: response.headers,
    setCookies: response.headers.getSetCookie(),
    body: await response.text(),
  };
}

/** The one session token a reply issues (failing unless there is exactly one `sid` line). */
function issued(reply: Reply): string {
  expect(reply.setCookies).toHaveLength(1);
  const match = ISSUED.exec(reply.setCookies[0] ?? '');
  expect(match, `Set-Cookie ${reply.setCookies[0]}`).not.toBeNull();
  return match?.[1] ?? '';
}

/**
 * The demo's short visit over real HTTP: anonymous counter, sign in (the ID changes), the counter
 * goes on with the cookie kept, sign out deletes the cookie and the server state, and neither old
 * cookie brings a session back. `runtime` is what `GET /runtime` must say serves.
 */
export async function checkDemoVisit(base: string, runtime: string): Promise<void> {
  const who = await send(base, 'GET', '/runtime');
  expect(who.status).toBe(200);
  expect(JSON.parse(who.body)).toEqual({ runtime });

  const first = await send(base, 'GET', '/');
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(first.body)).toEqual({ views: 1, user: null });
  const anonymous = issued(first);
  expect(anonymous).toMatch(TOKEN);

  const login = await send(base, 'POST', '/login', {
    cookie: anonymous,
    form: { username: 'ada' },
  });
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).toBe('/');
  expect(login.body).toBe('');
  const signedIn = issued(login);
  expect(signedIn, 'sign-in regenerates the session ID').not.toBe(anonymous);

  for (const views of [2, 3, 4]) {
    const visit = await send(base, 'GET', '/', { cookie: signedIn });
    expect(visit.status).toBe(200);
    expect(JSON.parse(visit.body)).toEqual({ views, user: 'ada' });
    // A write re-issues the persistent cookie (its expiry moved), always with the same token.
    for (const line of visit.setCookies) expect(ISSUED.exec(line)?.[1]).toBe(signedIn);
  }

  const stale = await send(base, 'GET', '/', { cookie: anonymous });
  expect(JSON.parse(stale.body), 'the pre-sign-in ID is gone').toEqual({ views: 1, user: null });
  expect(issued(stale)).not.toBe(anonymous);

  const logout = await send(base, 'POST', '/logout', { cookie: signedIn });
  expect(logout.status).toBe(303);
  expect(logout.headers.get('location')).toBe('/');
  expect(logout.setCookies).toHaveLength(1);
  expect(logout.setCookies[0]).toMatch(DELETED);

  const replay = await send(base, 'GET', '/', { cookie: signedIn });
  expect(JSON.parse(replay.body), 'a signed-out cookie brings nothing back').toEqual({
    views: 1,
    user: null,
  });
  expect(issued(replay)).not.toBe(signedIn);

  const fresh = await send(base, 'GET', '/');
  expect(JSON.parse(fresh.body)).toEqual({ views: 1, user: null });

  const invalid = await send(base, 'POST', '/login', { form: { username: '   ' } });
  expect(invalid.status).toBe(400);
  expect(invalid.setCookies).toEqual([]);
}
