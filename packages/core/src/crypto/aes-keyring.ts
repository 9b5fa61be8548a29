import { SessionError } from '../errors/session-error.js';
import { encodeBase64Url } from './base64url.js';

/** Minimum key length in bytes: AES-256 keys are derived from it, so at least 256 bits of it. */
export const MIN_AES_SOURCE_KEY_BYTES = 32;

/** A fixed HKDF salt (32 zero bytes, the RFC 5869 default, spelled out for every runtime). */
const SALT = new Uint8Array(32);

const encoder = new TextEncoder();

/** One configured key, derived. */
export interface DerivedAesKey {
  /** Short public identifier written beside each ciphertext, so decryption picks the key directly. */
  readonly id: string;
  /** The AES-256-GCM key (non-extractable). */
  readonly key: CryptoKey;
}

/** Every configured key, derived: `primary` encrypts, `byId` lists the candidates that decrypt. */
export interface AesKeyring {
  readonly primary: DerivedAesKey;
  /** Keys by ID; a list because two keys may (rarely) share an ID: each is tried. */
  readonly byId: ReadonlyMap<string, readonly CryptoKey[]>;
}

/** What distinguishes one use of a keyring (encryption at rest, sealed cookies) from another. */
export interface AesKeyringPurpose {
  /** HKDF `info` of the AES key. */
  readonly aesInfo: string;
  /** HKDF `info` of the key ID: a separate output, so the ID reveals nothing about the key. */
  readonly keyIdInfo: string;
  /** Bits of the key ID (a multiple of 6, so it is whole base64url characters). */
  readonly keyIdBits: number;
}

/**
 * Checks a configured key list now (so a bad key fails at start-up with `MISCONFIGURED`) and
 * returns copies of the keys' bytes, so later changes to the caller's arrays cannot change a key.
 * `option` names the list in messages; `emptyMessage` says what to pass when it is empty.
 */
export function copyAesSourceKeys(
  keys: unknown,
  option: string,
  emptyMessage: string,
): Uint8Array<ArrayBuffer>[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SessionError('MISCONFIGURED', emptyMessage);
  }
  return keys.map((key: unknown, index): Uint8Array<ArrayBuffer> => {
    const bytes =
      typeof key === 'string'
        ? encoder.encode(key)
        : key instanceof Uint8Array
          ? new Uint8Array(key)
          : new Uint8Array(0);
    if (bytes.length < MIN_AES_SOURCE_KEY_BYTES) {
      throw new SessionError(
        'MISCONFIGURED',
        `${option}[${index}] is shorter than ${MIN_AES_SOURCE_KEY_BYTES} bytes; generate one with \`openssl rand -base64 32\`.`,
      );
    }
    return bytes;
  });
}

async function deriveKey(
  raw: Uint8Array<ArrayBuffer>,
  purpose: AesKeyringPurpose,
): Promise<DerivedAesKey> {
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ]);
  const hkdf = (info: string): HkdfParams => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: SALT,
    info: encoder.encode(info),
  });
  const [key, idBits] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(purpose.aesInfo), base, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveBits(hkdf(purpose.keyIdInfo), base, purpose.keyIdBits),
  ]);
  return { id: encodeBase64Url(new Uint8Array(idBits)), key };
}

/**
 * Derives an AES-256-GCM key and a key ID from each checked key with HKDF-SHA-256 (Web Crypto, so
 * it runs on Node, Bun, Deno and Workers). Call once and cache the promise.
 */
export async function deriveAesKeyring(
  raws: readonly Uint8Array<ArrayBuffer>[],
  purpose: AesKeyringPurpose,
): Promise<AesKeyring> {
  const derived = await Promise.all(raws.map((raw) => deriveKey(raw, purpose)));
  const byId = new Map<string, CryptoKey[]>();
  for (const { id, key } of derived) {
    const list = byId.get(id);
    if (list === undefined) byId.set(id, [key]);
    else list.push(key);
  }
  return { primary: derived[0] as DerivedAesKey, byId };
}
