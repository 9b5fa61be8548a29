import { encodeBase64Url } from './base64url.js';

const encoder = new TextEncoder();

/**
 * The store key of a session: SHA-256 of its ID, base64url (43 characters). Stores never hold the
 * ID itself, so a dump of the store cannot be replayed as cookies.
 */
export async function hashSessionId(id: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(id));
  return encodeBase64Url(new Uint8Array(digest));
}
