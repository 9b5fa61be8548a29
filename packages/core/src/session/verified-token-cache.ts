import type { PresentedIdentity } from './resolve-identity.js';

/** Tokens a manager remembers as verified (about 3 MB at most). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/**
 * Remembers tokens that passed signature verification, with their ID and store key, so a
 * returning visitor's request skips the HMAC and the SHA-256 (about 6 µs of CPU) and costs one Map
 * lookup. Only exact strings that verified are ever stored, so a tampered token (a different
 * string) always misses and is verified in full; secrets are fixed per manager, so a remembered
 * verdict never goes stale. Whether a session still exists is never cached: the store is asked
 * on every load. Bounded: the oldest entry is dropped when full.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, PresentedIdentity>();
  readonly #capacity: number;

  constructor(capacity: number = VERIFIED_TOKEN_CACHE_SIZE) {
    this.#capacity = capacity;
  }

  /** The identity `token` verified to, if it is remembered. */
  get(token: string): PresentedIdentity | undefined {
    return this.#entries.get(token);
  }

  /** Remembers a verified identity under its token. */
  remember(identity: PresentedIdentity): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(identity.token)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(identity.token, identity);
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }
}
