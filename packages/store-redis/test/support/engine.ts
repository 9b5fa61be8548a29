import { type CommitResult, createSessionManager, type SessionStore } from '@sessions/core';

/** A 32+ byte signing secret for tests. */
export const TEST_SECRET = 'store-redis-tests-secret-0123456789abcdef';

/** A session manager over `store` for the tests' engine-level requests. */
export function managerFor(store: SessionStore) {
  return createSessionManager<{ n: number; note: string; user: string }>({
    store,
    secrets: [TEST_SECRET],
  });
}

/** The `Cookie` request header replaying a commit's session cookie. */
export function cookieFrom(result: CommitResult): string {
  const line = result.headers.find(([name]) => name.toLowerCase() === 'set-cookie')?.[1];
  if (line === undefined) throw new Error('the commit issued no session cookie');
  return line.split(';')[0] ?? '';
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
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
