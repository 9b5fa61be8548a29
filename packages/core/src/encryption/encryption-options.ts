/** An encryption key: a string (its UTF-8 bytes) or raw bytes, at least 32 bytes long. */
export type EncryptionKey = string | Uint8Array;

/**
 * Why a stored value was dropped instead of returned:
 * - `unknown-key`: encrypted under a key that is not in `keys` (retired, or not yet deployed to
 *   this instance);
 * - `invalid`: authentication failed: the value was tampered with, copied from another session or
 *   another key, or is malformed;
 * - `plaintext`: not encrypted at all (written before encryption was enabled) and
 *   `acceptPlaintext` is off.
 */
export type UndecryptableReason = 'unknown-key' | 'invalid' | 'plaintext';

/** Options for encryption at rest (`encryptStore`, or the manager's `encryption` option). */
export interface EncryptionOptions {
  /**
   * Keys, newest first, each at least 32 bytes (a string counts its UTF-8 bytes): the first
   * encrypts, every one decrypts. Rotate by prepending a new key; a value is re-encrypted under it
   * whenever it is written, and every value of a session when the session is regenerated
   * (`signIn`, `regenerate`). Generate one with `openssl rand -base64 32`; use keys of their own,
   * not the signing secrets.
   */
  readonly keys: readonly EncryptionKey[];
  /**
   * Return values that are not encrypted (stored before encryption was enabled) as they are, so
   * existing sessions survive the switch; each is encrypted when it is next written. Default
   * `false`: such values are dropped like any value that fails to decrypt, so whoever can write
   * to the store cannot plant a value the app will trust. Turn it on for a migration and off once
   * the absolute session lifetime has passed.
   */
  readonly acceptPlaintext?: boolean | undefined;
  /**
   * Called for each stored value that was dropped (treated as absent) because it could not be
   * decrypted, with the session key it was stored under (never the value). Must not throw; errors
   * it throws are swallowed. The session manager also reports each as a `value-undecodable` event.
   */
  readonly onUndecryptable?: ((entry: string, reason: UndecryptableReason) => void) | undefined;
}
