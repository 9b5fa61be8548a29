import type { HeaderSource } from '../adapter/header-source.js';
import { MAX_COOKIE_NAME_VALUE_BYTES } from '../cookie/serialize-set-cookie.js';
import { hashSessionId } from '../crypto/hash-session-id.js';
import { SessionError } from '../errors/session-error.js';
import type { SessionConfig } from '../manager/session-config.js';
import {
  ambiguousSession,
  MAX_CANDIDATE_TOKENS,
  type PresentedIdentity,
} from '../session/resolve-identity.js';
import type { SessionHandleHooks } from '../session/session-handle.js';
import { sessionTag } from '../session/session-tag.js';
import type { SessionRecord } from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';
import { createRequestRecordStore, type RequestRecordStore } from './request-record-store.js';
import { readRevocationEpoch } from './revocation-epoch.js';
import { SEALED_COOKIE_PREFIX, sealCookie, unsealCookie } from './sealed-cookie.js';
import { decodeSealedPayload, encodeSealedPayload, type SealedPayload } from './sealed-payload.js';
import type { SealingKeyring } from './sealing-keys.js';

/** What every request of one sealed-cookie manager shares. */
export interface SealedManagerContext {
  /** The engine's config (cookie transport, expiry, codec, limits, clock, events). */
  readonly config: SessionConfig;
  /** The derived keys (derived once, on first use). */
  readonly keyring: () => Promise<SealingKeyring>;
  /** How long an epoch record lives; defined exactly when revocation is configured. */
  readonly retentionMs: number | undefined;
}

/** The cookie the request presented, once opened. */
interface Presented {
  readonly payload: SealedPayload;
  readonly primary: boolean;
  readonly token: string;
}

function isLive(record: SessionRecord, now: number): boolean {
  const absolute = record.meta.absoluteExpiresAt;
  return record.expiresAt > now && (absolute === undefined || absolute > now);
}

/**
 * One request of a sealed-cookie manager: the {@link SessionHandleHooks} that open the presented
 * cookie into a request-scoped store and seal the final record back into a cookie, plus that
 * store (whose first load also checks the revocation epoch). All session logic stays the engine's.
 */
export class SealedRequest implements SessionHandleHooks {
  /** The store the engine's handle runs against for this request. */
  readonly store: SessionStore;
  readonly #context: SealedManagerContext;
  readonly #records: RequestRecordStore;
  readonly #revocationStore: SessionStore | undefined;
  /** Store key and sealing instant of the presented session. */
  #presented: { readonly key: string; readonly sealedAt: number } | undefined;
  /** When the presented session passed its revocation check (taken before the epoch was read). */
  #checkedAt: number | undefined;
  /** An epoch this session must be sealed after (it was kept by `revokeUserSessions`). */
  #keepAfter: number | undefined;

  constructor(context: SealedManagerContext, revocationStore: SessionStore | undefined) {
    this.#context = context;
    this.#revocationStore = revocationStore;
    this.#records = createRequestRecordStore(context.config.clock);
    this.store = { ...this.#records, load: (key) => this.#load(key) };
  }

  /** See {@link SessionHandleHooks.identify}: opens the presented cookie, if any. */
  async identify(headers: HeaderSource): Promise<PresentedIdentity | undefined> {
    const { config } = this.#context;
    const values = config.transport.read(headers);
    if (values.length === 0) return undefined;
    const candidates = new Set<string>();
    for (const value of values) {
      if (value.startsWith(SEALED_COOKIE_PREFIX)) candidates.add(value);
      else config.emit({ type: 'token-rejected', reason: 'malformed' });
    }
    if (candidates.size > MAX_CANDIDATE_TOKENS) throw ambiguousSession(config);
    if (candidates.size === 0) return undefined;
    const keyring = await this.#context.keyring();
    let found: Presented | undefined;
    for (const token of candidates) {
      const result = await unsealCookie(keyring, config.transport.name, token);
      const payload = result.kind === 'opened' ? decodeSealedPayload(result.plaintext) : undefined;
      if (payload === undefined) {
        const reason = result.kind === 'malformed' ? 'malformed' : 'bad-signature';
        config.emit({ type: 'token-rejected', reason });
        continue;
      }
      const opened: Presented = {
        payload,
        primary: result.kind === 'opened' && result.primary,
        token,
      };
      if (found === undefined) found = opened;
      else if (found.payload.id !== payload.id) throw ambiguousSession(config);
      else if (payload.sealedAt > found.payload.sealedAt) found = opened;
    }
    if (found === undefined) return undefined;
    const key = await hashSessionId(found.payload.id);
    this.#records.seed(key, found.payload.record);
    this.#presented = { key, sealedAt: found.payload.sealedAt };
    return { id: found.payload.id, key, signedWithOldKey: !found.primary, token: found.token };
  }

  /** See {@link SessionHandleHooks.token}: seals the record now held under `key`. */
  async token(id: string, key: string): Promise<string> {
    const { config, retentionMs } = this.#context;
    const record = this.#records.recordAt(key);
    if (record === undefined) {
      throw new SessionError('INVALID_STATE', 'sealed cookie: no session record to seal.');
    }
    const now = config.clock();
    let sealedAt = this.#checkedAt ?? now;
    if (this.#keepAfter !== undefined) sealedAt = Math.max(sealedAt, this.#keepAfter + 1);
    if (
      retentionMs !== undefined &&
      record.meta.userId !== undefined &&
      record.expiresAt - sealedAt > retentionMs
    ) {
      throw new SessionError(
        'MISCONFIGURED',
        `sealed cookie: this signed-in session would stay valid ${Math.ceil((record.expiresAt - sealedAt) / 86_400_000)} days after sealing, longer than a revocation epoch is kept (${Math.floor(retentionMs / 86_400_000)} days), so revoking it could not be guaranteed; lower the idle timeout (setExpiry or expiry.idle).`,
      );
    }
    const name = config.transport.name;
    const plaintext = encodeSealedPayload({ id, record, sealedAt }, now);
    const token = await sealCookie(await this.#context.keyring(), name, plaintext);
    const bytes = name.length + 1 + token.length;
    if (bytes > MAX_COOKIE_NAME_VALUE_BYTES) {
      throw new SessionError(
        'COOKIE_TOO_LARGE',
        `sealed cookie: "${name}=<sealed session>" would be ${bytes} bytes, over the ${MAX_COOKIE_NAME_VALUE_BYTES}-byte browser limit (the session holds ${plaintext.length} characters before encryption, which grows it by a third). Store less in the session: keep large data server-side under a reference, or use createSessionManager with a server store.`,
      );
    }
    return token;
  }

  /**
   * Makes this session's next seal carry a `sealedAt` after `epoch`, so it survives a revocation
   * that raised the user's epoch to `epoch` (`revokeUserSessions({ except })`).
   */
  keepAfter(epoch: number): void {
    this.#keepAfter = Math.max(this.#keepAfter ?? epoch, epoch);
  }

  /**
   * The engine's one load: the presented record, unless it belongs to a user whose revocation
   * epoch is at or after its sealing instant (then no session, reported as `session-revoked`).
   * Expired records skip the check: the engine reports them as expired anyway.
   */
  async #load(key: string): Promise<SessionRecord | undefined> {
    const record = this.#records.load(key);
    const presented = this.#presented;
    const store = this.#revocationStore;
    const userId = record?.meta.userId;
    const { config } = this.#context;
    const checkedAt = config.clock();
    if (
      record === undefined ||
      userId === undefined ||
      store === undefined ||
      presented?.key !== key ||
      !isLive(record, checkedAt)
    ) {
      return record;
    }
    const epoch = await readRevocationEpoch(config, store, userId);
    if (epoch !== undefined && presented.sealedAt <= epoch) {
      this.#records.destroy(key);
      config.emit({ type: 'session-revoked', session: sessionTag(key) });
      return undefined;
    }
    this.#checkedAt = checkedAt;
    return record;
  }
}
