import { encodeBase64Url } from '../crypto/base64url.js';
import { SessionError } from '../errors/session-error.js';
import type { EncryptionKey } from './encryption-options.js';

/** Minimum key length in bytes: AES-256 keys are derived from it, so at least 256 bits of it. */
export const MIN_ENCRYPTION_KEY_BYTES = 32;

/** Length of a key ID in characters (base64url of 3 derived bytes). */
export const KEY_ID_LENGTH = 4;

/** HKDF `info` strings: one per derived output, so the key ID reveals nothing about the AES key. */
const AES_INFO = '@sessions/core encryption at rest: AES-256-GCM v1';
const KEY_ID_INFO = '@sessions/core encryption at rest: key id v1';
/** A fixed HKDF salt (all zeros: the RFC 5869 default, spelled out for every runtime). */
const SALT = new Uint8Array(32);

const encoder = new TextEncoder();

/** The keys derived from one configured key. */
export interface DerivedKey {
  /** Short public identifier embedded in each ciphertext, so decryption picks the key directly. */
  readonly id: string;
  /** The AES-256-GCM key. */
  readonly key: CryptoKey;
}

/** Every configured key, derived: `primary` encrypts, `byId` finds the candidates to decrypt. */
export interface Keyring {
  readonly primary: DerivedKey;
  /** Keys by ID; a list because two keys may (rarely) share an ID: each is tried. */
  readonly byId: ReadonlyMap<string, readonly CryptoKey[]>;
}

/**
 * Validates the configured keys now (so a bad key fails at start-up with `MISCONFIGURED`) and
 * returns copies of their bytes, so later changes to the caller's arrays cannot change a key.
 */
export function checkEncryptionKeys(
  keys: readonly EncryptionKey[] | undefined,
): Uint8Array<ArrayBuffer>[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SessionError(
      'MISCONFIGURED',
      'encryption.keys must be a non-empty list; the first encrypts, all decrypt (pass at least one 32-byte key).',
    );
  }
  return keys.map((key: unknown, index) => {
    const bytes =
      typeof key === 'string'
        ? encoder.encode(key)
        : key instanceof Uint8Array
          ? new Uint8Array(key)
          : new Uint8Array(0);
    if (bytes.length < MIN_ENCRYPTION_KEY_BYTES) {
      throw new SessionError(
        'MISCONFIGURED',
        `encryption.keys[${index}] is shorter than ${MIN_ENCRYPTION_KEY_BYTES} bytes; generate one with \`openssl rand -base64 32\`.`,
      );
    }
    return bytes;
  });
}

function hkdf(info: string): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: encoder.encode(info) };
}

async function deriveKey(raw: Uint8Array<ArrayBuffer>): Promise<DerivedKey> {
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ]);
  const [key, idBits] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(AES_INFO), base, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveBits(hkdf(KEY_ID_INFO), base, 24),
  ]);
  return { id: encodeBase64Url(new Uint8Array(idBits)), key };
}

/**
 * Derives an AES-256-GCM key and a key ID from each configured key with HKDF-SHA-256 (Web Crypto,
 * so it runs on Node, Bun, Deno and Workers). Keys must have passed {@link checkEncryptionKeys}.
 */
export async function deriveKeyring(raw: readonly Uint8Array<ArrayBuffer>[]): Promise<Keyring> {
  const derived = await Promise.all(raw.map(deriveKey));
  const byId = new Map<string, CryptoKey[]>();
  for (const { id, key } of derived) {
    const list = byId.get(id);
    if (list === undefined) byId.set(id, [key]);
    else list.push(key);
  }
  return { primary: derived[0] as DerivedKey, byId };
}
