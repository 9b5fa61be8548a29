import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SessionError } from '../errors/session-error.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { constantTimeEqual } from './constant-time-equal.js';
import { SESSION_ID_LENGTH } from './session-id.js';
import { DEFAULT_SESSION_ID_FORMAT, type SessionIdFormat } from './session-id-format.js';

/** A signing secret: a string (its UTF-8 bytes) or raw bytes, at least 32 bytes long. */
export type Secret = string | Uint8Array;

/** Minimum secret length in bytes (an HMAC-SHA-256 key should be at least the hash size). */
export const MIN_SECRET_BYTES = 32;

/** Length of a signed token with a default ID: `<43-char id>.<43-char signature>`. */
export const SIGNED_TOKEN_LENGTH = SESSION_ID_LENGTH * 2 + 1;

/** Length of a token's signature: HMAC-SHA-256 as unpadded base64url. */
const SIGNATURE_LENGTH = 43;

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
 * Creates an HMAC-SHA-256 signer. The first secret signs; every secret verifies, so rotating means
 * prepending a new secret and later removing the old one (which invalidates the tokens it signed).
 * `context` (the cookie or header name) is bound into every signature, so a token issued for one
 * name is not accepted under another.
 *
 * HMAC runs synchronously on `@noble/hashes` (audited, pure JS, about 4 µs per token with the key
 * schedule prepared once per secret) rather than `crypto.subtle` (15-20 µs per call on Node, a
 * thread-pool round trip each). Verification recomputes the MAC and compares it in constant time
 * (`constantTimeEqual`), after a strict shape check: a well-formed ID (in `idFormat`: by default
 * exactly 43 base64url characters), one `.`, a canonical 43-character signature, nothing trailing.
 */
export function createSigner(
  secrets: readonly Secret[],
  context: string,
  idFormat: SessionIdFormat = DEFAULT_SESSION_ID_FORMAT,
): Signer {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionError(
      'MISCONFIGURED',
      'secrets must be a non-empty list; the first signs, all verify (pass at least one 32-byte secret).',
    );
  }
  // One prepared HMAC per secret (its inner and outer key blocks hashed once); cloned per use.
  const prepared = secrets.map((secret, index) => hmac.create(sha256, secretBytes(secret, index)));
  const mac = (index: number, id: string): Uint8Array =>
    (prepared[index] as (typeof prepared)[number])
      .clone()
      .update(encoder.encode(`${context}=${id}`))
      .digest();

  return {
    sign(id) {
      return Promise.resolve(`${id}.${encodeBase64Url(mac(0, id))}`);
    },
    verify(token) {
      return Promise.resolve(verifyToken(token));
    },
  };

  function verifyToken(token: string): VerifiedToken | undefined {
    if (token.length < idFormat.minTokenLength || token.length > idFormat.maxTokenLength)
      return undefined;
    const idLength = token.length - SIGNATURE_LENGTH - 1;
    if (token.charCodeAt(idLength) !== 46) return undefined;
    const id = token.slice(0, idLength);
    if (!idFormat.isWellFormed(id)) return undefined;
    const signature = decodeBase64Url(token.slice(idLength + 1));
    if (signature === undefined || signature.length !== 32) return undefined;
    for (let i = 0; i < prepared.length; i++) {
      if (constantTimeEqual(mac(i, id), signature)) return { id, signedWithOldKey: i > 0 };
    }
    return undefined;
  }
}
