import { SessionError } from '../errors/session-error.js';
import type { StoredEntry, StoredValue } from '../store/session-record.js';
import {
  type EncryptedValue,
  formatEncryptedBytes,
  formatEncryptedValue,
  IV_BYTES,
  isEncryptedBytes,
  isEncryptedFormat,
  parseEncryptedBytes,
  parseEncryptedValue,
} from './encrypted-value.js';
import { checkEncryptionKeys, deriveKeyring, type Keyring } from './encryption-keys.js';
import type { EncryptionOptions, UndecryptableReason } from './encryption-options.js';

const encoder = new TextEncoder();
/** IVs drawn per `getRandomValues` call. */
const IV_POOL = 64;
/** Strict: invalid UTF-8 throws, and a leading U+FEFF is kept as part of the value. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encrypts and decrypts stored values with AES-256-GCM. Each value is bound (as additional
 * authenticated data) to the record's store key, its entry name and its per-key `expiresAt`, so a
 * ciphertext moved to another session or another key, or given a later expiry, fails to decrypt.
 */
export interface ValueCipher {
  /** Encrypts one entry of the record stored under `storeKey` with the newest key. */
  seal(storeKey: string, name: string, entry: StoredEntry): Promise<StoredEntry>;
  /**
   * Decrypts one entry; `undefined` (after reporting it) when it cannot be decrypted. Never
   * throws for a bad value: a stored value is not trusted to be well formed.
   */
  open(storeKey: string, name: string, entry: StoredEntry): Promise<StoredEntry | undefined>;
  /** Encrypts every entry (see {@link ValueCipher.seal}). */
  sealAll(
    storeKey: string,
    entries: ReadonlyMap<string, StoredEntry>,
  ): Promise<Map<string, StoredEntry>>;
  /** Decrypts every entry, leaving out those that fail (see {@link ValueCipher.open}). */
  openAll(
    storeKey: string,
    entries: ReadonlyMap<string, StoredEntry>,
  ): Promise<Map<string, StoredEntry>>;
}

/** Additional data: store key, entry name and expiry, separated by U+0000 (which none contains). */
function additionalData(storeKey: string, name: string, expiresAt: number | undefined) {
  return encoder.encode(`${storeKey}\u0000${name}\u0000${expiresAt ?? ''}`);
}

/** The entry with `value` replaced, keeping a per-key expiry only when there is one. */
function withValue(entry: StoredEntry, value: StoredValue): StoredEntry {
  return entry.expiresAt === undefined ? { value } : { value, expiresAt: entry.expiresAt };
}

async function mapEntries(
  entries: ReadonlyMap<string, StoredEntry>,
  transform: (name: string, entry: StoredEntry) => Promise<StoredEntry | undefined>,
): Promise<Map<string, StoredEntry>> {
  const pairs = await Promise.all(
    Array.from(entries, async ([name, entry]) => [name, await transform(name, entry)] as const),
  );
  const out = new Map<string, StoredEntry>();
  for (const [name, entry] of pairs) if (entry !== undefined) out.set(name, entry);
  return out;
}

/**
 * Creates a cipher for `options`. The keys are checked now (`MISCONFIGURED` for a missing or
 * short key) and derived on first use, once, so creating it stays synchronous.
 */
export function createValueCipher(options: EncryptionOptions): ValueCipher {
  const raw = checkEncryptionKeys((options as Partial<EncryptionOptions> | undefined)?.keys);
  const acceptPlaintext = options.acceptPlaintext === true;
  const listener = options.onUndecryptable;
  let keyring: Promise<Keyring> | undefined;
  const keys = (): Promise<Keyring> => {
    keyring ??= deriveKeyring(raw).catch((error: unknown) => {
      throw new SessionError(
        'MISCONFIGURED',
        'encryption needs Web Crypto (crypto.subtle with HKDF and AES-GCM), which this runtime lacks.',
        { cause: error },
      );
    });
    return keyring;
  };
  // IVs are drawn from a pool of random bytes, each slice used once: one getRandomValues call per
  // IV_POOL writes instead of one per write (a measurable share of a small value's cost).
  let ivPool = new Uint8Array(0);
  let ivOffset = 0;
  const nextIv = (): Uint8Array<ArrayBuffer> => {
    if (ivOffset + IV_BYTES > ivPool.length) {
      ivPool = crypto.getRandomValues(new Uint8Array(IV_BYTES * IV_POOL));
      ivOffset = 0;
    }
    ivOffset += IV_BYTES;
    return ivPool.slice(ivOffset - IV_BYTES, ivOffset);
  };
  const drop = (name: string, reason: UndecryptableReason): undefined => {
    try {
      listener?.(name, reason);
    } catch {
      // A logging hook must never break a request.
    }
    return undefined;
  };

  const cipher: ValueCipher = {
    async seal(storeKey, name, entry) {
      const { primary } = await keys();
      const iv = nextIv();
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: additionalData(storeKey, name, entry.expiresAt) },
        primary.key,
        // Bytes from a binary codec are encrypted as they are and stay bytes.
        typeof entry.value === 'string' ? encoder.encode(entry.value) : new Uint8Array(entry.value),
      );
      const format = typeof entry.value === 'string' ? formatEncryptedValue : formatEncryptedBytes;
      return withValue(entry, format(primary.id, iv, new Uint8Array(sealed)));
    },
    async open(storeKey, name, entry) {
      const { value } = entry;
      const text = typeof value === 'string';
      if (text ? !isEncryptedFormat(value) : !isEncryptedBytes(value)) {
        return acceptPlaintext ? withValue(entry, value) : drop(name, 'plaintext');
      }
      const parsed: EncryptedValue | undefined = text
        ? parseEncryptedValue(value)
        : parseEncryptedBytes(value);
      if (parsed === undefined) return drop(name, 'invalid');
      const candidates = (await keys()).byId.get(parsed.keyId);
      if (candidates === undefined) return drop(name, 'unknown-key');
      const aad = additionalData(storeKey, name, entry.expiresAt);
      for (const key of candidates) {
        try {
          const plain = await crypto.subtle.decrypt(
            { name: 'AES-GCM', iv: parsed.iv, additionalData: aad },
            key,
            parsed.sealed,
          );
          return withValue(entry, text ? decoder.decode(plain) : new Uint8Array(plain));
        } catch {
          // Wrong key (an ID shared by two keys), tampered, moved, or not UTF-8: try the next.
        }
      }
      return drop(name, 'invalid');
    },
    sealAll: (storeKey, entries) =>
      mapEntries(entries, (name, entry) => cipher.seal(storeKey, name, entry)),
    openAll: (storeKey, entries) =>
      mapEntries(entries, (name, entry) => cipher.open(storeKey, name, entry)),
  };
  return cipher;
}
