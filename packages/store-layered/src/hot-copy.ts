import type { SessionPatch, SessionRecord, StoredEntry } from '@sessions/core';
import { copyEntry } from './copy-record.js';

/**
 * The format of what the layered store keeps in the hot store, and the fill protocol that makes a
 * stale copy impossible to serve.
 *
 * The problem: a reader copies a record from cold to hot after reading it, and a writer removes
 * the hot copy after writing cold. A slow reader can read cold before a write and copy after the
 * writer's removal, installing a copy that lacks the write (or a copy of a destroyed session).
 * `create` being insert-only does not help: the hot key is empty at that moment. Caches solve
 * this with leases checked by the server (memcached) or compare-and-set (Redis scripts); the
 * store contract has neither, only insert-only create, a patch that never resurrects, and
 * destroy. It is enough:
 *
 * 1. Before reading cold, the reader inserts a lease under the session's key in hot: a record
 *    holding only {@link LEASE_KEY} = a token unique to this fill. Insert-only, so it never
 *    replaces a copy or another reader's lease.
 * 2. It reads cold, then fills the lease with one non-clearing patch that sets the data under
 *    keys prefixed by its token and {@link FILL_KEY} = `<token>:<kind>:<true expiry>`.
 * 3. Writers write cold, then destroy the hot key.
 *
 * A hot record is served only when its lease token equals its fill token, and only the entries
 * under that token are served. A writer whose cold write the reader missed destroyed the hot key
 * after the reader's read, so after the lease was inserted: either the fill lands on nothing (a
 * patch never resurrects) or it lands on a newer reader's lease, whose token differs, and the
 * record reads as invalid. A later valid fill on that lease overwrites the fill key, and the stale
 * entries stay invisible behind their own token. So a served copy is always exactly what cold held
 * at some instant after every write that had finished before its lease existed.
 *
 * The true expiry rides in the fill key because the hot record's own `expiresAt` is capped by the
 * hot TTL: a hit reports the cold record's expiry, not the cache's.
 */

/** Hot entry key of the lease token. Data keys start with a token, never with U+0002. */
export const LEASE_KEY = '\u0002lease';

/** Hot entry key of the fill: `<token>:<kind>:<true expiresAt>`. */
export const FILL_KEY = '\u0002fill';

/**
 * How long a lease waits for its fill. A fill landing later finds nothing and is dropped (safe);
 * a reader that died between lease and fill only keeps others from caching this key that long.
 */
export const FILL_LEASE_MS = 5_000;

/** What a fill puts in hot: the data (`copy`) or a marker telling readers to go to cold. */
export type FillKind = 'copy' | 'cold-only';

/** How to fill: what, and until when the hot record lives (already capped by the hot TTL). */
export interface FillPlan {
  readonly kind: FillKind;
  /** Epoch ms at which the hot record expires: `min(now + hot TTL, record.expiresAt)`. */
  readonly hotExpiresAt: number;
}

/** What a hot record means to a reader. */
export type HotView =
  /** Nothing in hot. */
  | { readonly kind: 'absent' }
  /** A valid copy: the record as cold held it, with its true expiry. */
  | { readonly kind: 'copy'; readonly record: SessionRecord }
  /** The session is kept out of the hot store: read cold. */
  | { readonly kind: 'cold-only' }
  /** Another reader's lease, not filled yet: read cold. */
  | { readonly kind: 'filling' }
  /** A lease filled by a reader whose lease had been revoked, or foreign data: never served. */
  | { readonly kind: 'invalid' };

/** The lease a reader (or a create) inserts before reading (or writing) cold. */
export function leaseRecord(token: string, now: number): SessionRecord {
  return {
    entries: new Map([[LEASE_KEY, { value: token }]]),
    meta: { createdAt: now },
    expiresAt: now + FILL_LEASE_MS,
  };
}

/**
 * The patch that fills `token`'s lease with `record`. Non-clearing on purpose: clearing would
 * erase the lease token, and then any fill could pass for the lease owner's.
 */
export function fillPatch(token: string, record: SessionRecord, plan: FillPlan): SessionPatch {
  const set = new Map<string, StoredEntry>([
    [FILL_KEY, { value: `${token}:${plan.kind}:${record.expiresAt}` }],
  ]);
  if (plan.kind === 'cold-only') {
    // A marker only: no data, and the lease's meta stays as it is.
    return { set, remove: [], clear: false, expiresAt: plan.hotExpiresAt };
  }
  for (const [key, entry] of record.entries) set.set(`${token}:${key}`, copyEntry(entry));
  return { set, remove: [], clear: false, meta: { ...record.meta }, expiresAt: plan.hotExpiresAt };
}

/** Parses `<token>:<kind>:<expiresAt>`; undefined when malformed. */
function parseFill(
  text: string,
): { readonly token: string; readonly kind: FillKind; readonly expiresAt: number } | undefined {
  const [token, kind, instant, ...rest] = text.split(':');
  if (token === undefined || token === '' || rest.length > 0) return undefined;
  if (kind !== 'copy' && kind !== 'cold-only') return undefined;
  const expiresAt = Number(instant);
  if (instant === undefined || instant === '' || !Number.isFinite(expiresAt)) return undefined;
  return { token, kind, expiresAt };
}

/**
 * Reads a hot record. A copy comes back as a fresh record: the entries under the fill's token
 * with the token stripped, the meta, and the true expiry.
 */
export function readHotRecord(hot: SessionRecord | undefined): HotView {
  if (hot === undefined) return { kind: 'absent' };
  const lease = hot.entries.get(LEASE_KEY)?.value;
  const fillText = hot.entries.get(FILL_KEY)?.value;
  if (lease === undefined) return { kind: 'invalid' };
  if (fillText === undefined) return { kind: 'filling' };
  if (typeof fillText !== 'string') return { kind: 'invalid' };
  const fill = parseFill(fillText);
  if (fill === undefined || fill.token !== lease) return { kind: 'invalid' };
  if (fill.kind === 'cold-only') return { kind: 'cold-only' };
  const prefix = `${fill.token}:`;
  const entries = new Map<string, ReturnType<typeof copyEntry>>();
  for (const [key, entry] of hot.entries) {
    // Entries of other tokens are leftovers of fills that lost their lease: never data.
    if (key.startsWith(prefix)) entries.set(key.slice(prefix.length), copyEntry(entry));
  }
  return { kind: 'copy', record: { entries, meta: { ...hot.meta }, expiresAt: fill.expiresAt } };
}
