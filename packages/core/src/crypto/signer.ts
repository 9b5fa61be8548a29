import { SessionError } from '../errors/session-error.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { isWellFormedSessionId, SESSION_ID_LENGTH } from './session-id.js';

/** A signing secret: a string (its UTF-8 bytes) or raw bytes, at least 32 bytes long. */
export type Secret = string | Uint8Array;

/** Minimum secret length in bytes (an HMAC-SHA-256 key should be at least the hash size). */
export const MIN_SECRET_BYTES = 32;

/** Length of a signed token: `<43-char id>.<43-char signature>`. */
export const SIGNED_TOKEN_LENGTH = SESSION_ID_LENGTH * 2 + 1;

/** A token that passed verification. */
export interface VerifiedToken {
  /** The session ID inside the token. */
  readonly id: string;
  /** True when an older secret verified it: the token should be re-issued under the newest. */
  readonly signedWithOldKey: boolean;
}

/** Signs session IDs into tokens and verifies tokens, with a list of secrets for rotation. */
export interface Signer {
  /** Returns `<id>.<signature>` under the first (newest) secret. */
  sign(id: string): Promise<string>;
  /** Returns the ID when the token is well formed and verifies under any secret, else `undefined`. */
  verify(token: string): Promise<VerifiedToken | undefined>;
}

const encoder = new TextEncoder();

function secretBytes(secret: Secret, index: number): Uint8Array<ArrayBuffer> {
  // Copied, so later changes to the caller's array cannot change the key.
  const valid = typeof secret === 'string' || secret instanceof Uint8Array;
  const bytes = !valid
    ? new Uint8Array(0)
    : typeof secret === 'string'
      ? encoder.encode(secret)
      : new Uint8Array(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new SessionError(
      'MISCONFIGURED',
      `secrets[${index}] is shorter than ${MIN_SECRET_BYTES} bytes; generate one with \`openssl rand -base64 32\`.`,
    );
  }
  return bytes;
}

/**
 * Creates an HMAC-SHA-256 signer over Web Crypto. The first secret signs; every secret verifies, so
 * rotating means prepending a new secret and later removing the old one (which invalidates the
 * tokens it signed). `context` (the cookie or header name) is bound into every signature, so a token
 * issued for one name is not accepted under another.
 *
 * Verification uses `crypto.subtle.verify`, which compares in constant time, after a strict shape
 * check: exactly one `.`, a well-formed ID, a canonical 43-character signature, nothing trailing.
 */
export function createSigner(secrets: readonly Secret[], context: string): Signer {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionError(
      'MISCONFIGURED',
      'secrets must be a non-empty list; the first signs, all verify (pass at least one 32-byte secret).',
    );
  }
  const rawKeys = secrets.map(secretBytes);
  let keys: Promise<CryptoKey[]> | undefined;
  const loadKeys = (): Promise<CryptoKey[]> => {
    keys ??= Promise.all(
      rawKeys.map((raw) =>
        crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
          'sign',
          'verify',
        ]),
      ),
    );
    return keys;
  };
  const message = (id: string): Uint8Array<ArrayBuffer> => encoder.encode(`${context}=${id}`);

  return {
    async sign(id) {
      const [key] = await loadKeys();
      const signature = await crypto.subtle.sign('HMAC', key as CryptoKey, message(id));
      return `${id}.${encodeBase64Url(new Uint8Array(signature))}`;
    },
    async verify(token) {
      if (token.length !== SIGNED_TOKEN_LENGTH || token.charCodeAt(SESSION_ID_LENGTH) !== 46)
        return undefined;
      const id = token.slice(0, SESSION_ID_LENGTH);
      if (!isWellFormedSessionId(id)) return undefined;
      const signature = decodeBase64Url(token.slice(SESSION_ID_LENGTH + 1));
      if (signature === undefined || signature.length !== 32) return undefined;
      const data = message(id);
      const loaded = await loadKeys();
      for (let i = 0; i < loaded.length; i++) {
        if (await crypto.subtle.verify('HMAC', loaded[i] as CryptoKey, signature, data)) {
          return { id, signedWithOldKey: i > 0 };
        }
      }
      return undefined;
    },
  };
}
