import { encodeBase64Url } from '../crypto/base64url.js';
import { SessionError } from '../errors/session-error.js';

/** Minimum sealing key length in bytes: AES-256 keys are derived from it. */
export const MIN_SEALING_KEY_BYTES = 32;

/** Length of a key ID in the cookie: base64url of 6 derived bytes. */
export const SEALING_KEY_ID_LENGTH = 8;

/** HKDF `info` strings: one per output, so a key ID reveals nothing about its AES key. */
const AES_INFO = '@sessions/core sealed cookie: AES-256-GCM v1';
const KEY_ID_INFO = '@sessions/core sealed cookie: key id v1';
/** A fixed HKDF salt (32 zero bytes, the RFC 5869 default, spelled out for every runtime). */
const SALT = new Uint8Array(32);

const encoder = new TextEncoder();

/** One configured key, derived. */
export interface SealingKey {
  /** Public identifier written into each cookie, so unsealing picks the key directly. */
  readonly id: string;
  /** The AES-256-GCM key. */
  readonly key: CryptoKey;
}

/** Every configured key, derived: `primary` seals, `byId` lists the candidates that unseal. */
export interface SealingKeyring {
  readonly primary: SealingKey;
  /** Keys by ID; a list because two keys may (with probability 2^-48) share an ID: each is tried. */
  readonly byId: ReadonlyMap<string, readonly CryptoKey[]>;
}

/**
 * Validates the configured sealing keys now (a bad list fails at start-up with `MISCONFIGURED`)
 * and returns copies of their bytes, so later changes to the caller's arrays cannot change a key.
 */
export function checkSealingKeys(keys: unknown): Uint8Array<ArrayBuffer>[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SessionError(
      'MISCONFIGURED',
      'keys must be a non-empty list; the first seals, all unseal (pass at least one 32-byte key, e.g. from `openssl rand -base64 32`).',
    );
  }
  const copies = keys.map((key: unknown, index): Uint8Array<ArrayBuffer> => {
    const bytes =
      typeof key === 'string'
        ? encoder.encode(key)
        : key instanceof Uint8Array
          ? new Uint8Array(key)
          : new Uint8Array(0);
    if (bytes.length < MIN_SEALING_KEY_BYTES) {
      throw new SessionError(
        'MISCONFIGURED',
        `keys[${index}] is shorter than ${MIN_SEALING_KEY_BYTES} bytes; generate one with \`openssl rand -base64 32\`.`,
      );
    }
    return bytes;
  });
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

async function deriveKey(raw: Uint8Array<ArrayBuffer>): Promise<SealingKey> {
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ]);
  const hkdf = (info: string) =>
    ({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: encoder.encode(info) }) as const;
  const [key, idBits] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(AES_INFO), base, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveBits(hkdf(KEY_ID_INFO), base, 48),
  ]);
  return { id: encodeBase64Url(new Uint8Array(idBits)), key };
}

/**
 * Derives AES-256-GCM keys and key IDs from validated key bytes with HKDF-SHA-256 (Web Crypto,
 * non-extractable keys). Call once per manager and cache the promise.
 */
export async function deriveSealingKeyring(
  raws: readonly Uint8Array<ArrayBuffer>[],
): Promise<SealingKeyring> {
  const derived = await Promise.all(raws.map(deriveKey));
  const byId = new Map<string, CryptoKey[]>();
  for (const { id, key } of derived) {
    const list = byId.get(id);
    if (list === undefined) byId.set(id, [key]);
    else list.push(key);
  }
  return { primary: derived[0] as SealingKey, byId };
}
