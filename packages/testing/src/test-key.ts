/**
 * A fresh random store key shaped like the engine's: 32 random bytes from
 * `crypto.getRandomValues`, base64url without padding (43 characters). Random keys let several
 * suites and test runs share one Redis or Postgres without colliding.
 */
export function createTestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
