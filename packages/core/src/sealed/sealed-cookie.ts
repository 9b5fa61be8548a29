import { MAX_COOKIE_NAME_VALUE_BYTES } from '../cookie/serialize-set-cookie.js';
import { decodeBase64Url, encodeBase64Url, isBase64UrlAlphabet } from '../crypto/base64url.js';
import { SEALING_KEY_ID_LENGTH, type SealingKeyring } from './sealing-keys.js';

/**
 * The version prefix of a sealed cookie value. The whole value is
 * `s1.<key id>.<base64url(iv ‖ AES-256-GCM ciphertext ‖ 16-byte tag)>`; a new format gets a new
 * prefix, so old cookies fail closed instead of being misread.
 */
export const SEALED_COOKIE_PREFIX = 's1.';

/** AES-GCM IV length in bytes (the 96 bits GCM is designed for; random per seal). */
const IV_BYTES = 12;
/** AES-GCM authentication tag length in bytes. */
const TAG_BYTES = 16;
/** Where the data part starts: after `s1.` and `<key id>.`. */
const DATA_OFFSET = SEALED_COOKIE_PREFIX.length + SEALING_KEY_ID_LENGTH + 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The additional authenticated data: the cookie name, the version and the key ID. A cookie sealed
 * under one name therefore does not open under another, and neither header part can be swapped.
 */
function additionalData(cookieName: string, keyId: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${cookieName}=${SEALED_COOKIE_PREFIX}${keyId}.`);
}

/** Encrypts `plaintext` for cookie `cookieName` under the keyring's primary key. */
export async function sealCookie(
  keyring: SealingKeyring,
  cookieName: string,
  plaintext: string,
): Promise<string> {
  const { id, key } = keyring.primary;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(cookieName, id), tagLength: 128 },
    key,
    encoder.encode(plaintext),
  );
  const data = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  data.set(iv);
  data.set(new Uint8Array(ciphertext), IV_BYTES);
  return `${SEALED_COOKIE_PREFIX}${id}.${encodeBase64Url(data)}`;
}

/** The outcome of {@link unsealCookie}. */
export type UnsealResult =
  /** Authenticated and decrypted; `primary` is false when an older key sealed it. */
  | { readonly kind: 'opened'; readonly plaintext: string; readonly primary: boolean }
  /** Not a sealed cookie of this version by shape (checked before any crypto). */
  | { readonly kind: 'malformed' }
  /** Well shaped, but no configured key authenticates it (tampered, wrong name, retired key). */
  | { readonly kind: 'rejected' };

const MALFORMED: UnsealResult = { kind: 'malformed' };
const REJECTED: UnsealResult = { kind: 'rejected' };

/**
 * Checks a presented value's shape (prefix, key ID, canonical base64url, minimum length, at most
 * 4096 bytes) before any crypto, then authenticates and decrypts it with the key its ID names.
 * Never throws.
 */
export async function unsealCookie(
  keyring: SealingKeyring,
  cookieName: string,
  value: string,
): Promise<UnsealResult> {
  if (
    value.length > MAX_COOKIE_NAME_VALUE_BYTES ||
    !value.startsWith(SEALED_COOKIE_PREFIX) ||
    value.charCodeAt(DATA_OFFSET - 1) !== 0x2e
  ) {
    return MALFORMED;
  }
  const keyId = value.slice(SEALED_COOKIE_PREFIX.length, DATA_OFFSET - 1);
  if (!isBase64UrlAlphabet(keyId)) return MALFORMED;
  const data = decodeBase64Url(value.slice(DATA_OFFSET));
  if (data === undefined || data.length <= IV_BYTES + TAG_BYTES) return MALFORMED;
  const candidates = keyring.byId.get(keyId);
  if (candidates === undefined) return REJECTED;
  const iv = data.subarray(0, IV_BYTES);
  const ciphertext = data.subarray(IV_BYTES);
  const aad = additionalData(cookieName, keyId);
  for (const key of candidates) {
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
        key,
        ciphertext,
      );
      return {
        kind: 'opened',
        plaintext: decoder.decode(plain),
        primary: key === keyring.primary.key,
      };
    } catch {
      // Authentication failed under this key: try the next one with the same ID, if any.
    }
  }
  return REJECTED;
}
