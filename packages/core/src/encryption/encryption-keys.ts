import {
  type AesKeyring,
  copyAesSourceKeys,
  type DerivedAesKey,
  deriveAesKeyring,
  MIN_AES_SOURCE_KEY_BYTES,
} from '../crypto/aes-keyring.js';
import type { EncryptionKey } from './encryption-options.js';

/** Minimum key length in bytes: AES-256 keys are derived from it, so at least 256 bits of it. */
export const MIN_ENCRYPTION_KEY_BYTES = MIN_AES_SOURCE_KEY_BYTES;

/** Length of a key ID in characters (base64url of 3 derived bytes). */
export const KEY_ID_LENGTH = 4;

/** The keys derived from one configured key. */
export type DerivedKey = DerivedAesKey;

/** Every configured key, derived: `primary` encrypts, `byId` finds the candidates to decrypt. */
export type Keyring = AesKeyring;

/**
 * Validates the configured keys now (so a bad key fails at start-up with `MISCONFIGURED`) and
 * returns copies of their bytes, so later changes to the caller's arrays cannot change a key.
 */
export function checkEncryptionKeys(
  keys: readonly EncryptionKey[] | undefined,
): Uint8Array<ArrayBuffer>[] {
  return copyAesSourceKeys(
    keys,
    'encryption.keys',
    'encryption.keys must be a non-empty list; the first encrypts, all decrypt (pass at least one 32-byte key).',
  );
}

/** Derives the encryption-at-rest keyring (its own HKDF labels) from checked keys. */
export function deriveKeyring(raw: readonly Uint8Array<ArrayBuffer>[]): Promise<Keyring> {
  return deriveAesKeyring(raw, {
    aesInfo: '@sessions/core encryption at rest: AES-256-GCM v1',
    keyIdInfo: '@sessions/core encryption at rest: key id v1',
    keyIdBits: KEY_ID_LENGTH * 6,
  });
}
