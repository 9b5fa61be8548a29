import type { ClientBindingOptions } from '../binding/client-binding-options.js';
import type { AnySessionCodec } from '../codec/session-codec.js';
import type { CookieOptions } from '../cookie/cookie-options.js';
import type { Secret } from '../crypto/signer.js';
import type { SessionErrorCode } from '../errors/session-error.js';
import type { ExpiryOptions } from '../expiry/expiry-policy.js';
import type { SessionEventListener } from '../manager/session-event.js';
import type { SessionLimits } from '../manager/session-manager-options.js';
import type { SessionStore } from '../store/session-store.js';
import type { Clock } from '../types/clock.js';

/** Server-side revocation for sealed cookies (see {@link SealedSessionManagerOptions.revocation}). */
export interface SealedRevocationOptions {
  /**
   * Any core store (Redis, Postgres, layered; the memory store only for tests and single
   * instances, since it forgets on restart and evicts under pressure). It holds one small record
   * per revoked user (the revocation epoch) and is read once per request that loads a signed-in
   * session. It must be shared by every instance and durable: a lost epoch un-revokes cookies.
   */
  store: SessionStore;
}

/** Options of {@link createSealedSessionManager}: stateless sessions kept in a sealed cookie. */
export interface SealedSessionManagerOptions {
  /**
   * Sealing keys, newest first, each at least 32 bytes (a string counts its UTF-8 bytes): the
   * first seals, every one unseals. AES-256-GCM keys are derived with HKDF-SHA-256. Rotate by
   * prepending a new key (cookies are re-sealed under it the next time they are used) and remove
   * the old one after the absolute session lifetime: its cookies then stop working. Use keys of
   * their own, not signing secrets or encryption-at-rest keys.
   */
  keys: readonly Secret[];
  /**
   * Session cookie attributes (safe defaults: `HttpOnly; Secure; Path=/; SameSite=Lax`, name
   * `sid`). The cookie name is authenticated: a cookie does not open under another name.
   */
  cookie?: CookieOptions | undefined;
  /** Idle and absolute timeouts, touch throttling, cookie persistence (enforced from the sealed instants). */
  expiry?: ExpiryOptions | undefined;
  /** How values are encoded. Default: JSON with `Date` support. */
  codec?: AnySessionCodec | undefined;
  /**
   * Size limits. `maxBytes` defaults to 4096 here (nothing larger can fit in a cookie); the sealed
   * cookie itself is checked at commit against the 4096-byte browser limit (`COOKIE_TOO_LARGE`).
   */
  limits?: SessionLimits | undefined;
  /** Time source for expiry and revocation decisions. Default `Date.now`. */
  clock?: Clock | undefined;
  /** HTTP statuses for session errors, per code (as for `createSessionManager`). */
  errorStatus?: Partial<Record<SessionErrorCode, number>> | undefined;
  /** Receives security and diagnostics events (never raw IDs or cookie values). */
  onEvent?: SessionEventListener | undefined;
  /**
   * Enables `manager.revokeUserSessions(userId)` ("sign out everywhere") through a per-user
   * revocation epoch kept in a server store. Without it nothing can be revoked: a copied cookie
   * works until it expires, and `destroy()` only deletes the browser's copy.
   */
  revocation?: SealedRevocationOptions | undefined;
  /**
   * Client binding, as for `createSessionManager` (off by default; see the README section
   * "Client binding"): a copied cookie then opens only for a client with the same bound
   * attributes. The binding hash travels inside the sealed (encrypted) cookie.
   */
  binding?: ClientBindingOptions | undefined;
}
