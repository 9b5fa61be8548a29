import { encodeBase64Url } from './base64url.js';

const encoder = new TextEncoder();
/** Domain separation: a handle is never equal to any other hash the engine derives. */
const HANDLE_CONTEXT = '@sessions/user-session-handle\u0000';
/** Handle length: 22 base64url characters, 132 bits. */
export const USER_SESSION_HANDLE_LENGTH = 22;

/**
 * The public handle of a stored session, as shown in a user's session list and accepted by
 * `revokeUserSession`: a one-way hash of the store key (itself a hash of the ID), so it can be sent
 * to the browser without ever working as a cookie or revealing the store key.
 */
export async function userSessionHandle(storeKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(HANDLE_CONTEXT + storeKey));
  return encodeBase64Url(new Uint8Array(digest)).slice(0, USER_SESSION_HANDLE_LENGTH);
}

/** True when `value` has the shape of a handle (checked before any hashing or store call). */
export function isUserSessionHandle(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length === USER_SESSION_HANDLE_LENGTH &&
    /^[A-Za-z0-9_-]+$/.test(value)
  );
}
