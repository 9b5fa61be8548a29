import { decodeBase64Url, encodeBase64Url } from './base64url.js';

/** Random bytes in a session ID: 256 bits, twice ASVS 5.0's 128-bit floor. */
export const SESSION_ID_BYTES = 32;

/** Length of a session ID's text form: 32 bytes as unpadded base64url. */
export const SESSION_ID_LENGTH = 43;

/** Mints a new session ID from `crypto.getRandomValues` (a CSPRNG on every runtime). */
export function generateSessionId(): string {
  const bytes = new Uint8Array(SESSION_ID_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase64Url(bytes);
}

/**
 * True when `text` has exactly the shape of an ID this library mints: 43 characters of canonical
 * base64url. Checked before any crypto, hashing or store access touches untrusted input.
 */
export function isWellFormedSessionId(text: string): boolean {
  return text.length === SESSION_ID_LENGTH && decodeBase64Url(text) !== undefined;
}
