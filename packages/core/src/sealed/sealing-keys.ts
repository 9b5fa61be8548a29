import {
  type AesKeyring,
  copyAesSourceKeys,
  type DerivedAesKey,
  deriveAesKeyring,
  MIN_AES_SOURCE_KEY_BYTES,
} from '../crypto/aes-keyring.js';
import { SessionError } from '../errors/session-error.js';

/** Minimum sealing key length in bytes: AES-256 keys are derived from it. */
export const MIN_SEALING_KEY_BYTES = MIN_AES_SOURCE_KEY_BYTES;

/** Length of a key ID in the cookie: base64url of 6 derived bytes. */
export const SEALING_KEY_ID_LENGTH = 8;

/** One configured key, derived. */
export type SealingKey = DerivedAesKey;

/** Every configured key, derived: `primary` seals, `byId` lists the candidates that unseal. */
export type SealingKeyring = AesKeyring;

/**
 * Validates the configured sealing keys now (a bad list fails at start-up with `MISCONFIGURED`)
 * and returns copies of their bytes, so later changes to the caller's arrays cannot change a key.
 * A key listed twice is refused too.
 */
export function checkSealingKeys(keys: unknown): Uint8Array<ArrayBuffer>[] {
  const copies = copyAesSourceKeys(
    keys,
    'keys',
    'keys must be a non-empty list; the first seals, all unseal (pass at least one 32-byte key, e.g. from `openssl rand -base64 32`).',
  );
  for (let i = 1; i < copies.length; i++) {
    for (let j = 0; j < i; j++) {
      if (sameBytes(copies[i] as Uint8Array, copies[j] as Uint8Array)) {
        throw new SessionError(
          'MISCONFIGURED',
          `keys[${i}] repeats keys[${j}]; list each key once (newest first).`,
        );
      }
    }
  }
  return copies;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Derives the sealed-cookie keyring (its own HKDF labels, 48-bit key IDs) from validated key
 * bytes. Call once per manager and cache the promise.
 */
export function deriveSealingKeyring(
  raws: readonly Uint8Array<ArrayBuffer>[],
): Promise<SealingKeyring> {
  return deriveAesKeyring(raws, {
    aesInfo: '@sessions/core sealed cookie: AES-256-GCM v1',
    keyIdInfo: '@sessions/core sealed cookie: key id v1',
    keyIdBits: SEALING_KEY_ID_LENGTH * 6,
  });
}
