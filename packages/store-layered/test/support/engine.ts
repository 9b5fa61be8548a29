import {
  type CommitResult,
  createSessionManager,
  hashSessionId,
  type SessionManager,
  type SessionStore,
  type SessionValue,
} from '@sessions/core';

/** Session data as the tests use it: any key, any value. */
export type AnyData = Record<string, SessionValue>;

/** A 32+ byte signing secret for tests. */
export const TEST_SECRET = 'store-layered-tests-secret-0123456789abcdef';

/** A session manager over `store`. */
export function managerFor(store: SessionStore): SessionManager<AnyData> {
  return createSessionManager<AnyData>({ store, secrets: [TEST_SECRET] });
}

/** The `Cookie` request header replaying a commit's session cookie. */
export function cookieFrom(result: CommitResult): string {
  const line = result.headers.find(([name]) => name.toLowerCase() === 'set-cookie')?.[1];
  if (line === undefined) throw new Error('the commit issued no session cookie');
  return line.split(';')[0] ?? '';
}

/** Creates a session holding `data` (one request) and returns its cookie. */
export async function signIn(manager: SessionManager<AnyData>, data: AnyData): Promise<string> {
  const session = manager.session(new Headers());
  for (const [key, value] of Object.entries(data)) await session.set(key, value);
  return cookieFrom(await session.commit());
}

/** Reads `key` in a request presenting `cookie` (commits it, as an adapter would). */
export async function readValue(
  manager: SessionManager<AnyData>,
  cookie: string,
  key: string,
): Promise<SessionValue | undefined> {
  const session = manager.session(new Headers({ cookie }));
  const value = await session.get(key);
  await session.commit();
  return value;
}

/** The store key of the session a cookie opens (`base64url(SHA-256(id))`). */
export function storeKeyOf(cookie: string): Promise<string> {
  const token = cookie.slice(cookie.indexOf('=') + 1);
  return hashSessionId(token.slice(0, token.indexOf('.')));
}

/** Settles `promise` and returns what it rejected with (fails when it resolved). */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Retries `attempt` until it resolves, for at most `timeoutMs`; returns its value. */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
