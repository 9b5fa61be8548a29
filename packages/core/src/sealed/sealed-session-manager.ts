import type { HeaderSource } from '../adapter/header-source.js';
import type { Signer } from '../crypto/signer.js';
import { isSessionError, SessionError } from '../errors/session-error.js';
import { checkStore, resolveSessionConfig, type SessionConfig } from '../manager/session-config.js';
import type { SessionManager } from '../manager/session-manager.js';
import { purgeExpired } from '../manager/store-maintenance.js';
import type { Session } from '../session/session.js';
import { reissueToken, SessionHandle } from '../session/session-handle.js';
import { validateUserId } from '../session/validate-user.js';
import type { SessionStore } from '../store/session-store.js';
import type { RegisteredSessionData } from '../types/register.js';
import type { ValidSessionData } from '../types/session-value.js';
import { raiseRevocationEpoch, revocationRetentionMs } from './revocation-epoch.js';
import { type SealedManagerContext, SealedRequest } from './sealed-request.js';
import type { SealedSessionManagerOptions } from './sealed-session-manager-options.js';
import { checkSealingKeys, deriveSealingKeyring, type SealingKeyring } from './sealing-keys.js';

/** Default `limits.maxBytes` for sealed sessions: nothing larger fits in a 4096-byte cookie. */
const SEALED_MAX_BYTES = 4096;

/** Options of `createSessionManager` that make no sense here, and why. */
const FOREIGN_OPTIONS: Readonly<Record<string, string>> = {
  store:
    'sealed sessions keep their data in the cookie; for a server store use createSessionManager (for revocation pass revocation: { store }).',
  secrets: 'sealed sessions are sealed with `keys` (each at least 32 bytes), not `secrets`.',
  transport: 'sealed sessions travel in a cookie only.',
  encryption: 'sealed cookies are already encrypted (AES-256-GCM) with `keys`.',
  requireConsent: 'consent mode is not supported for sealed sessions.',
  generateId:
    'a sealed session ID never leaves the encrypted cookie, so there is no format to customise.',
};

/** The engine's signer is never used: sealed tokens replace signed IDs entirely. */
const NO_SIGNER: Signer = {
  sign: () => Promise.reject(new SessionError('INVALID_STATE', 'sealed sessions sign nothing.')),
  verify: () => Promise.resolve(undefined),
};

function misconfigured(message: string): SessionError {
  return new SessionError('MISCONFIGURED', `createSealedSessionManager: ${message}`);
}

function checkOptions(options: SealedSessionManagerOptions): SessionStore | undefined {
  if (typeof options !== 'object' || options === null) {
    throw misconfigured('options must be an object with at least `keys`.');
  }
  for (const [name, why] of Object.entries(FOREIGN_OPTIONS)) {
    if ((options as unknown as Record<string, unknown>)[name] !== undefined) {
      throw misconfigured(`unknown option \`${name}\`: ${why}`);
    }
  }
  const revocation: unknown = options.revocation;
  if (revocation === undefined) return undefined;
  if (typeof revocation !== 'object' || revocation === null) {
    throw misconfigured('revocation must be `{ store }` with a session store, or omitted.');
  }
  return checkRevocationStore((revocation as { store?: SessionStore }).store);
}

function checkRevocationStore(store: SessionStore | undefined): SessionStore {
  try {
    return checkStore(store);
  } catch {
    throw misconfigured(
      `revocation.store must implement SessionStore (load, create, patch, touch, rotate, destroy), e.g. a Redis or Postgres store.`,
    );
  }
}

function notListable(): Promise<never> {
  return Promise.reject(
    new SessionError(
      'MISCONFIGURED',
      'sealed-cookie sessions live only in each browser: they cannot be listed or revoked one by one. Use revokeUserSessions (with revocation: { store }) to end all of a user’s sessions, or createSessionManager with a server store for per-session management.',
    ),
  );
}

/**
 * Creates a session manager whose sessions live in an encrypted, authenticated cookie (AES-256-GCM,
 * `s1.<key id>.<data>`) instead of a server store, for apps without one. It returns the same
 * {@link SessionManager} interface, so the framework adapters take it as `{ manager }`, and it runs
 * the same engine (dirty tracking, limits, flash, TTLs, expiry, `regenerate`, `signIn`) against a
 * request-scoped store; at commit the final record is sealed into the `Set-Cookie` (a write
 * re-seals, a due touch re-seals with the new expiry, `destroy` sends a deletion cookie, an
 * unchanged session sends nothing).
 *
 * Validates every option now (`SessionError('MISCONFIGURED')`). A sealed cookie over 4096 bytes
 * fails the commit with `COOKIE_TOO_LARGE`. Without `revocation`, nothing is revocable: a copied
 * cookie works until it expires. See the README section "Sealed-cookie sessions".
 *
 * ```ts
 * const sessions = createSealedSessionManager<{ cart: string[] }>({
 *   keys: [process.env.SESSION_SEALING_KEY],
 *   revocation: { store: redisStore }, // optional: enables revokeUserSessions
 * });
 * ```
 */
export function createSealedSessionManager<
  Data extends ValidSessionData<Data> = RegisteredSessionData,
>(options: SealedSessionManagerOptions): SessionManager<Data> {
  const revocationStore = checkOptions(options);
  const keys = checkSealingKeys(options.keys);
  const config: SessionConfig = {
    ...resolveSessionConfig({
      // Only to satisfy the engine's config shape: the signer is replaced below and never signs.
      secrets: keys,
      cookie: options.cookie,
      expiry: options.expiry,
      codec: options.codec,
      limits: { ...options.limits, maxBytes: options.limits?.maxBytes ?? SEALED_MAX_BYTES },
      clock: options.clock,
      errorStatus: options.errorStatus,
      onEvent: options.onEvent,
      binding: options.binding,
    }),
    signer: NO_SIGNER,
  };
  let keyring: Promise<SealingKeyring> | undefined;
  const context: SealedManagerContext = {
    config,
    keyring: () => {
      keyring ??= deriveSealingKeyring(keys);
      return keyring;
    },
    retentionMs: revocationStore === undefined ? undefined : revocationRetentionMs(config.expiry),
  };
  const requests = new WeakMap<Session<Data>, SealedRequest>();

  /** The revocation store for one call: the per-request one if given, else the configured one. */
  const revocationFor = (given: SessionStore | undefined): SessionStore | undefined => {
    if (given === undefined || given === revocationStore) return revocationStore;
    if (revocationStore === undefined) {
      throw misconfigured(
        'a per-request `store` was given but revocation is not configured; sealed sessions keep no server store (pass revocation: { store } to enable revocation).',
      );
    }
    return checkRevocationStore(given);
  };

  return {
    transport: config.transport,
    session(request, open) {
      // Duck-typed: a Request from another realm or polyfill must work too.
      const requestUrl = (request as Partial<Request>).url;
      const isRequest = typeof requestUrl === 'string';
      const headers = isRequest ? (request as Request).headers : (request as HeaderSource);
      const sealed = new SealedRequest(context, revocationFor(open?.store));
      const handle = new SessionHandle<Data>(
        config,
        sealed.store,
        headers,
        isRequest ? requestUrl : open?.url,
        sealed,
        open?.clientAddress,
      );
      requests.set(handle, sealed);
      return handle;
    },
    listUserSessions: notListable,
    revokeUserSession: notListable,
    countSessions: () =>
      Promise.reject(
        misconfigured(
          'sealed sessions live only in each browser, so the server has none to count. Count sign-ins in your app, or use createSessionManager with a server store.',
        ),
      ),
    // The only server records in sealed mode are the revocation store's (one per revoked user),
    // which expire like sessions: purging them is the one cleanup there is to schedule.
    async purgeExpired(purgeOptions) {
      const store = revocationFor(purgeOptions?.store);
      if (store === undefined) {
        throw misconfigured(
          'sealed sessions keep no server records, so there is nothing to purge (only a revocation store holds any: revocation: { store }).',
        );
      }
      return purgeExpired(config, store);
    },
    async revokeUserSessions(userId, revokeOptions) {
      validateUserId(userId);
      const store = revocationFor(revokeOptions?.store);
      if (store === undefined || context.retentionMs === undefined) {
        throw new SessionError(
          'MISCONFIGURED',
          'sealed cookies cannot be revoked without a revocation store: a cookie carries the whole session, so nothing on the server can be deleted to end it. Pass revocation: { store } to createSealedSessionManager (one small record per revoked user).',
        );
      }
      let kept: SealedRequest | undefined;
      const except = revokeOptions?.except;
      if (except !== undefined) {
        const sealed = requests.get(except);
        if (sealed === undefined) {
          throw misconfigured(
            'pass as `except` the Session this manager opened for the request (c.get("session"), req.session, ctx.session).',
          );
        }
        if ((await except.getUserId()) === userId) {
          try {
            await (except as SessionHandle<Data>)[reissueToken]();
          } catch (error) {
            if (!isSessionError(error, 'INVALID_STATE')) throw error;
            throw new SessionError(
              'INVALID_STATE',
              'revokeUserSessions({ except }) must run before the kept session is committed: its cookie is re-sealed after the revocation in the same response. Nothing was revoked.',
              { cause: error },
            );
          }
          kept = sealed;
        }
      }
      const epoch = await raiseRevocationEpoch(config, store, userId, context.retentionMs);
      kept?.keepAfter(epoch);
      // The number of cookies revoked is unknowable: they live in browsers.
      return 0;
    },
  };
}
