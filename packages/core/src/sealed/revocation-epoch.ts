import { MAX_COOKIE_MAX_AGE_SECONDS } from '../cookie/resolve-cookie-options.js';
import { encodeBase64Url } from '../crypto/base64url.js';
import { SessionError } from '../errors/session-error.js';
import type { ExpiryPolicy } from '../expiry/expiry-policy.js';
import type { SessionConfig } from '../manager/session-config.js';
import { callStore } from '../session/call-store.js';
import type { SessionRecord, StoredEntry } from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';

/** Domain separation: an epoch key never equals a session's store key or any other derived hash. */
const EPOCH_KEY_CONTEXT = '@sessions/core sealed cookie: revocation epoch v1\u0000';
/** The entry holding the epoch (an engine-internal key: U+0001 prefix). */
const EPOCH_ENTRY = '\u0001revokedAt';
/** Writes retried when a concurrent revocation creates or expires the record in between. */
const MAX_ATTEMPTS = 3;
const DAY_MS = 86_400_000;

const encoder = new TextEncoder();

/**
 * The store key of a user's revocation epoch: base64url SHA-256 of a domain-separated user ID
 * (43 characters, like every store key), so the store never sees the user ID in this record.
 */
export async function epochStoreKey(userId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(EPOCH_KEY_CONTEXT + userId));
  return encodeBase64Url(new Uint8Array(digest));
}

/**
 * How long an epoch record is kept: it must outlive every cookie sealed at or before it. A cookie
 * is valid at most until its sealed `expiresAt`, which is at most its idle timeout after its last
 * write. Per-session "remember me" overrides (`setExpiry`) may exceed the manager's idle and
 * absolute timeouts, so the floor is the longest persistent cookie lifetime the engine allows
 * (400 days), raised to the manager's own timeouts if they are longer, plus a day for requests in
 * flight. The sealing step refuses (`MISCONFIGURED`) a signed-in cookie that would outlive it.
 */
export function revocationRetentionMs(policy: ExpiryPolicy): number {
  return (
    Math.max(MAX_COOKIE_MAX_AGE_SECONDS * 1000, policy.idleMs, policy.absoluteMs ?? 0) + DAY_MS
  );
}

/**
 * The epoch in a loaded record. A malformed record reads as no epoch: only whoever can write the
 * store can plant one, and they could as well delete it.
 */
function epochOf(record: SessionRecord | undefined): number | undefined {
  const value = record?.entries.get(EPOCH_ENTRY)?.value;
  if (value === undefined) return undefined;
  const epoch = Number(value);
  return Number.isSafeInteger(epoch) ? epoch : undefined;
}

/**
 * Reads a user's revocation epoch (one store `load`): cookies of this user sealed at or before it
 * are revoked. `undefined` when the user was never revoked (or the record aged out, after every
 * cookie it covered). A store failure is `STORE_UNAVAILABLE`, never "not revoked".
 */
export async function readRevocationEpoch(
  config: SessionConfig,
  store: SessionStore,
  userId: string,
): Promise<number | undefined> {
  const key = await epochStoreKey(userId);
  const record = await callStore(config, store, 'read the revocation epoch', () => store.load(key));
  if (record === undefined || record.expiresAt <= config.clock()) return undefined;
  return epochOf(record);
}

/**
 * Raises a user's revocation epoch to now (never lowers it) and returns it: every cookie of the
 * user sealed at or before the returned instant is revoked from the next request on. Creates the
 * record or patches it; the record's expiry only ever moves later.
 */
export async function raiseRevocationEpoch(
  config: SessionConfig,
  store: SessionStore,
  userId: string,
  retentionMs: number,
): Promise<number> {
  const key = await epochStoreKey(userId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = config.clock();
    const existing = await callStore(config, store, 'read the revocation epoch', () =>
      store.load(key),
    );
    const epoch = Math.max(now, epochOf(existing) ?? now);
    const expiresAt = Math.max(epoch + retentionMs, existing?.expiresAt ?? 0);
    const entry: StoredEntry = { value: String(epoch) };
    if (existing === undefined) {
      const record: SessionRecord = {
        entries: new Map([[EPOCH_ENTRY, entry]]),
        meta: { createdAt: now },
        expiresAt,
      };
      const created = await callStore(config, store, 'write the revocation epoch', () =>
        store.create(key, record),
      );
      if (created === 'created') return epoch;
    } else {
      const patch = { set: new Map([[EPOCH_ENTRY, entry]]), remove: [], clear: false, expiresAt };
      const patched = await callStore(config, store, 'write the revocation epoch', () =>
        store.patch(key, patch),
      );
      if (patched === 'ok') return epoch;
    }
  }
  throw new SessionError(
    'CONFLICT',
    `could not write the revocation epoch in store "${store.name}": it kept changing under ${MAX_ATTEMPTS} attempts; retry the revocation.`,
  );
}
