import {
  type CommitResult,
  createSessionManager,
  type SessionManager,
  type SessionStore,
  type SessionValue,
} from '@sessions/core';
import { expect } from 'vitest';

/** Session data as the tests use it: any key, any value. */
export type AnyData = Record<string, SessionValue>;

/** A session manager over `store` with a test secret. */
export function managerFor(store: SessionStore): SessionManager<AnyData> {
  return createSessionManager<AnyData>({
    store,
    secrets: ['store-postgres-test-secret-0123456789abcdef'],
  });
}

/** The `Cookie` request header replaying a commit's `Set-Cookie`. */
export function cookieFrom(result: CommitResult): string {
  const line = result.headers.find(([name]) => name === 'set-cookie')?.[1];
  expect(line, 'the commit issued a session cookie').toBeDefined();
  return (line ?? '').split(';')[0] ?? '';
}

/** Creates a session holding `data` and returns the cookie that opens it. */
export async function seedSession(
  manager: SessionManager<AnyData>,
  data: AnyData,
): Promise<string> {
  const session = manager.session(new Headers());
  for (const [key, value] of Object.entries(data)) await session.set(key, value);
  return cookieFrom(await session.commit());
}
