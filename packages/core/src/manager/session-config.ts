import { type ClientBinding, resolveClientBinding } from '../binding/client-binding.js';
import { createJsonCodec } from '../codec/json-codec.js';
import type { AnySessionCodec } from '../codec/session-codec.js';
import {
  type ResolvedCookieOptions,
  resolveCookieOptions,
} from '../cookie/resolve-cookie-options.js';
import { resolveSessionIdFormat, type SessionIdFormat } from '../crypto/session-id-format.js';
import { createSigner, type Signer } from '../crypto/signer.js';
import { createStoreEncryptor } from '../encryption/store-encryptor.js';
import { SessionError, type SessionErrorCode } from '../errors/session-error.js';
import { type ExpiryPolicy, resolveExpiryPolicy } from '../expiry/expiry-policy.js';
import { VerifiedTokenCache } from '../session/verified-token-cache.js';
import type { RecordLimits } from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';
import { createCookieTransport } from '../transport/cookie-transport.js';
import { createHeaderTransport } from '../transport/header-transport.js';
import type { SessionTransport } from '../transport/session-transport.js';
import { type Clock, systemClock } from '../types/clock.js';
import type { SessionEvent } from './session-event.js';
import type { SessionManagerOptions } from './session-manager-options.js';

/** Options resolved and validated once per manager; shared by every request's session. */
export interface SessionConfig {
  /** The default store (through `wrapStore`); absent when every request brings its own. */
  readonly store: SessionStore | undefined;
  /**
   * Applies the store decorators the options ask for (`encryption`) to a store, returning the same
   * wrapper for the same store object; the identity when none is configured.
   */
  readonly wrapStore: (store: SessionStore) => SessionStore;
  readonly signer: Signer;
  /** Tokens this manager has verified (see `VerifiedTokenCache`). */
  readonly verifiedTokens: VerifiedTokenCache;
  readonly transport: SessionTransport;
  readonly cookie: ResolvedCookieOptions;
  readonly expiry: ExpiryPolicy;
  readonly codec: AnySessionCodec;
  readonly maxBytes: number;
  readonly maxKeys: number;
  readonly maxKeyLength: number;
  /** `maxBytes` and `maxKeys` as the bound every patch carries (made once, not per write). */
  readonly recordLimits: RecordLimits;
  readonly requireConsent: boolean;
  readonly clock: Clock;
  /** Per-code HTTP status overrides for thrown `SessionError`s. */
  readonly errorStatus: Partial<Record<SessionErrorCode, number>>;
  /** Reports an event to `onEvent`, swallowing listener errors. */
  readonly emit: (event: SessionEvent) => void;
  /** Client binding (the `binding` option); `undefined` when off, so nothing is computed. */
  readonly binding: ClientBinding | undefined;
  /** How IDs are minted and recognised (the default, or the checked `generateId`). */
  readonly idFormat: SessionIdFormat;
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionError(
      'MISCONFIGURED',
      `${what} must be a positive integer (got ${String(value)}).`,
    );
  }
  return value;
}

function checkErrorStatus(
  map: Partial<Record<SessionErrorCode, number>> | undefined,
): Partial<Record<SessionErrorCode, number>> {
  for (const [code, status] of Object.entries(map ?? {})) {
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
      throw new SessionError(
        'MISCONFIGURED',
        `errorStatus.${code} must be an HTTP error status (400-599).`,
      );
    }
  }
  return { ...map };
}

/** Throws `MISCONFIGURED` unless `store` implements the contract's required methods. */
export function checkStore(store: SessionStore | undefined): SessionStore {
  const required = ['load', 'create', 'patch', 'touch', 'rotate', 'destroy'] as const;
  if (
    typeof store !== 'object' ||
    store === null ||
    required.some((m) => typeof store[m] !== 'function')
  ) {
    throw new SessionError(
      'MISCONFIGURED',
      `store must implement SessionStore (${required.join(', ')}); e.g. store: createMemoryStore().`,
    );
  }
  return store;
}

/**
 * Throws `MISCONFIGURED` when `codec` writes bytes and `store` cannot hold them (it does not declare
 * `capabilities.binaryValues`); returns `store`.
 */
export function checkCodecFits(codec: AnySessionCodec, store: SessionStore): SessionStore {
  if (codec.format === 'binary' && store.capabilities?.binaryValues !== true) {
    throw new SessionError(
      'MISCONFIGURED',
      `the "${codec.name}" codec writes binary values, which the store "${store.name}" cannot hold (capabilities.binaryValues is not true); use a store that holds bytes (memory, Redis with binaryValues: true, Postgres, layered over those) or a text codec such as jsonCodec.`,
    );
  }
  return store;
}

/** Validates options and applies defaults; every unsafe setting throws `MISCONFIGURED` here. */
export function resolveSessionConfig(options: SessionManagerOptions): SessionConfig {
  const checkedStore = options.store === undefined ? undefined : checkStore(options.store);
  const cookie = resolveCookieOptions(options.cookie);
  const transportOption = options.transport ?? 'cookie';
  const transport =
    transportOption === 'cookie'
      ? createCookieTransport(cookie)
      : createHeaderTransport(transportOption);
  const listener = options.onEvent;
  const limits = options.limits;
  const emit = (event: SessionEvent): void => {
    if (!listener) return;
    try {
      listener(event);
    } catch {
      // A logging hook must never break a request.
    }
  };
  const wrapStore =
    options.encryption === undefined
      ? (store: SessionStore) => store
      : createStoreEncryptor(options.encryption, (key) => emit({ type: 'value-undecodable', key }));
  const codec =
    options.codec ??
    createJsonCodec({ maxDepth: positiveInteger(limits?.maxDepth, 32, 'limits.maxDepth') });
  if (checkedStore !== undefined) checkCodecFits(codec, checkedStore);
  const maxBytes = positiveInteger(limits?.maxBytes, 64 * 1024, 'limits.maxBytes');
  const maxKeys = positiveInteger(limits?.maxKeys, 1_000, 'limits.maxKeys');
  const idFormat = resolveSessionIdFormat(options.generateId);
  return {
    store: checkedStore === undefined ? undefined : wrapStore(checkedStore),
    wrapStore,
    signer: createSigner(options.secrets, transport.name, idFormat),
    verifiedTokens: new VerifiedTokenCache(),
    transport,
    cookie,
    expiry: resolveExpiryPolicy(options.expiry),
    codec,
    maxBytes,
    maxKeys,
    recordLimits: { maxBytes, maxKeys },
    maxKeyLength: positiveInteger(limits?.maxKeyLength, 256, 'limits.maxKeyLength'),
    requireConsent: options.requireConsent ?? false,
    clock: options.clock ?? systemClock,
    errorStatus: checkErrorStatus(options.errorStatus),
    emit,
    binding: resolveClientBinding(options.binding),
    idFormat,
  };
}
