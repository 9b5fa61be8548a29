import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64Url } from './base64url.js';

const encoder = new TextEncoder();

/**
 * The store key of a session: SHA-256 of its ID, base64url (43 characters). Stores never hold the
 * ID itself, so a dump of the store cannot be replayed as cookies.
 *
 * Computed synchronously with `@noble/hashes` (audited, pure JS): about 1.5 µs, where Web Crypto's
 * `crypto.subtle.digest` costs a thread-pool round trip of 15-20 µs per call on Node. The promise
 * is kept for compatibility.
 */
export function hashSessionId(id: string): Promise<string> {
  return Promise.resolve(sessionStoreKey(id));
}

/** {@link hashSessionId}, synchronously. */
export function sessionStoreKey(id: string): string {
  return encodeBase64Url(sha256(encoder.encode(id)));
}
