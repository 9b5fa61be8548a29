import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.js';
import { KEY_ID_LENGTH } from './encryption-keys.js';

/**
 * The start of every encrypted value: a format version. JSON (the default codec's output) never
 * starts with it, which is how `acceptPlaintext` tells values written before encryption apart.
 */
export const ENCRYPTED_VALUE_PREFIX = 'e1.';

/** AES-GCM nonce length: 96 random bits per write. */
export const IV_BYTES = 12;
/** AES-GCM authentication tag length (128 bits). */
export const TAG_BYTES = 16;

/** Offset of the `.` between the key ID and the payload. */
const PAYLOAD_DOT = ENCRYPTED_VALUE_PREFIX.length + KEY_ID_LENGTH;

/** An encrypted value taken apart. */
export interface EncryptedValue {
  /** ID of the key that encrypted it. */
  readonly keyId: string;
  /** The random nonce. */
  readonly iv: Uint8Array<ArrayBuffer>;
  /** Ciphertext followed by the authentication tag. */
  readonly sealed: Uint8Array<ArrayBuffer>;
}

/** True when `value` claims the encrypted format (it may still be malformed). */
export function isEncryptedFormat(value: string): boolean {
  return value.startsWith(ENCRYPTED_VALUE_PREFIX);
}

/** Formats `e1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`: ASCII, safe for every store. */
export function formatEncryptedValue(keyId: string, iv: Uint8Array, sealed: Uint8Array): string {
  const payload = new Uint8Array(iv.length + sealed.length);
  payload.set(iv, 0);
  payload.set(sealed, iv.length);
  return `${ENCRYPTED_VALUE_PREFIX}${keyId}.${encodeBase64Url(payload)}`;
}

/** Takes an encrypted value apart; `undefined` when it is not exactly in the format. */
export function parseEncryptedValue(value: string): EncryptedValue | undefined {
  if (!isEncryptedFormat(value) || value.charCodeAt(PAYLOAD_DOT) !== 46) return undefined;
  const keyId = value.slice(ENCRYPTED_VALUE_PREFIX.length, PAYLOAD_DOT);
  const payload = decodeBase64Url(value.slice(PAYLOAD_DOT + 1));
  if (payload === undefined || payload.length < IV_BYTES + TAG_BYTES) return undefined;
  return { keyId, iv: payload.slice(0, IV_BYTES), sealed: payload.slice(IV_BYTES) };
}

/** {@link ENCRYPTED_VALUE_PREFIX} as bytes: the start of every encrypted binary value. */
const PREFIX_BYTES = new TextEncoder().encode(ENCRYPTED_VALUE_PREFIX);
const latin1 = new TextDecoder('latin1');

/** True when binary `value` claims the encrypted format (it may still be malformed). */
export function isEncryptedBytes(value: Uint8Array): boolean {
  if (value.length < PREFIX_BYTES.length) return false;
  for (let i = 0; i < PREFIX_BYTES.length; i++) if (value[i] !== PREFIX_BYTES[i]) return false;
  return true;
}

/**
 * Formats an encrypted binary value (from a binary codec): the bytes of `e1.<key id>.` followed by
 * the raw `iv ‖ ciphertext ‖ tag`, so bytes stay bytes and are not inflated by base64.
 */
export function formatEncryptedBytes(
  keyId: string,
  iv: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  const head = new TextEncoder().encode(`${ENCRYPTED_VALUE_PREFIX}${keyId}.`);
  const out = new Uint8Array(head.length + iv.length + sealed.length);
  out.set(head, 0);
  out.set(iv, head.length);
  out.set(sealed, head.length + iv.length);
  return out;
}

/** Takes an encrypted binary value apart; `undefined` when it is not exactly in the format. */
export function parseEncryptedBytes(value: Uint8Array): EncryptedValue | undefined {
  if (!isEncryptedBytes(value) || value[PAYLOAD_DOT] !== 46) return undefined;
  const keyId = latin1.decode(value.subarray(ENCRYPTED_VALUE_PREFIX.length, PAYLOAD_DOT));
  const payload = value.subarray(PAYLOAD_DOT + 1);
  if (payload.length < IV_BYTES + TAG_BYTES) return undefined;
  return { keyId, iv: payload.slice(0, IV_BYTES), sealed: payload.slice(IV_BYTES) };
}
