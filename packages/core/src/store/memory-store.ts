/// <reference lib="esnext.disposable" preserve="true" />
// The reference above types `Symbol.dispose` under the build's ES2022 lib and is kept in the
// emitted .d.ts, so consumers compile `MemoryStore` without @types/node.
import { storedValuesEqual } from '../codec/stored-value.js';
import { SessionError } from '../errors/session-error.js';
import { type Clock, systemClock } from '../types/clock.js';
import {
  applyPatch,
  assertInstant,
  copyMeta,
  fitsLimits,
  fromSlot,
  isLive,
  type MemorySlot,
  toSlot,
} from './memory-slot.js';
import type {
  ConditionalWriteResult,
  CreateResult,
  DestroyUserSessionsOptions,
  EntryCondition,
  PatchResult,
  RotateResult,
  SessionPatch,
  SessionRecord,
  UserSessionRecord,
  WriteResult,
} from './session-record.js';
import type { SessionStore } from './session-store.js';

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most records held at once. Creating a record beyond it evicts the least recently used one (an
   * expired record near the LRU end is evicted first when one is found cheaply), which logs that
   * user out: size it above your peak number of live sessions.
   * @default 10_000
   */
  readonly maxEntries?: number | undefined;
  /**
   * When set, every `sweepIntervalMs` milliseconds a timer removes all expired records. The timer
   * is `unref`'d where the runtime supports it (so it never keeps a process alive) and stopped by
   * `close()`. Without it, expired records are still removed lazily on access and a few at a time
   * on every write, so memory stays bounded either way.
   * @default undefined (no timer)
   */
  readonly sweepIntervalMs?: number | undefined;
  /**
   * Source of "now" for every expiry comparison. Inject one to control time in tests.
   * @default systemClock
   */
  readonly clock?: Clock | undefined;
}

/**
 * An in-process {@link SessionStore}: one instance, no persistence, bounded by `maxEntries`.
 * Every method is synchronous, and typed so: callers may use results without awaiting.
 */
export interface MemoryStore extends SessionStore {
  /** See {@link SessionStore.load}. Returns a fresh copy the caller may mutate. */
  load(key: string): SessionRecord | undefined;
  /** See {@link SessionStore.create}. The record is copied; later changes to it are not seen. */
  create(key: string, record: SessionRecord): CreateResult;
  /** See {@link SessionStore.patch}. The patch is copied. */
  patch(key: string, patch: SessionPatch): PatchResult;
  /** See {@link SessionStore.patchIf}. Atomic: the check and the write are one synchronous step. */
  patchIf(key: string, condition: EntryCondition, patch: SessionPatch): ConditionalWriteResult;
  /** See {@link SessionStore.touch}. */
  touch(key: string, expiresAt: number): WriteResult;
  /** See {@link SessionStore.rotate}. Atomic: nothing can run between the check and the move. */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): RotateResult;
  /** See {@link SessionStore.destroy}. */
  destroy(key: string): void;
  /** See {@link SessionStore.listUserSessions}: a lookup in an in-memory map, O(user's sessions). */
  listUserSessions(userId: string): UserSessionRecord[];
  /** See {@link SessionStore.destroyUserSessions}. */
  destroyUserSessions(userId: string, options?: DestroyUserSessionsOptions): string[];
  /**
   * Records currently held, including expired ones not yet swept. `countSessions()` gives the
   * exact number of live records.
   */
  readonly size: number;
  /** Removes every expired record now (an O(N) scan) and returns how many it removed. */
  deleteExpired(): number;
  /**
   * See {@link SessionStore.countSessions}: the exact number of live records, by an O(N) pass over
   * the records held (at most `maxEntries`; about a millisecond for the default 10,000). Expired
   * records not yet swept are skipped, not counted, and left for the sweep.
   */
  countSessions(): number;
  /** Stops the periodic sweep, if any. Idempotent; the store itself keeps working. */
  close(): void;
  /** Same as `close()`, for `using store = createMemoryStore(...)`. */
  [Symbol.dispose](): void;
}

/** Default for {@link MemoryStoreOptions.maxEntries}. */
const DEFAULT_MAX_ENTRIES = 10_000;
/** Records the incremental sweep examines per write: constant work on the request path. */
const SWEEP_STEP = 8;
/** Records from the LRU end examined for an expired victim before evicting the oldest. */
const EVICTION_PROBE = 8;

/**
 * Creates an in-memory session store, for development, tests and single-instance deployments.
 * Records are kept in a `Map` in least-recently-used order (a load or a write moves a record to
 * the most recent end), so eviction, lazy expiry and sweeping are all O(1) per request.
 *
 * Its state lives in one process: restarting loses every session, and several instances behind a
 * load balancer do not share sessions. Use a shared store (Redis, Postgres) for those.
 *
 * Throws a `SessionError` with code `MISCONFIGURED` for invalid options; its methods throw one
 * with code `INVALID_VALUE` for a non-finite `expiresAt` (which would otherwise never expire).
 *
 * @example
 * ```ts
 * const store = createMemoryStore({ maxEntries: 50_000, sweepIntervalMs: 60_000 });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new SessionError('MISCONFIGURED', 'memory store: maxEntries must be a positive integer');
  }
  const sweepIntervalMs = options.sweepIntervalMs;
  if (sweepIntervalMs !== undefined && !(Number.isFinite(sweepIntervalMs) && sweepIntervalMs > 0)) {
    throw new SessionError('MISCONFIGURED', 'memory store: sweepIntervalMs must be positive');
  }
  const clock = options.clock ?? systemClock;

  /** Insertion order is recency order: the first key is the least recently used. */
  const slots = new Map<string, MemorySlot>();
  /**
   * The incremental sweep's position. Map iterators are live (they skip deleted keys and reach
   * keys added later), so one iterator can be advanced a few steps per write for ever; it is
   * replaced once exhausted.
   */
  let cursor: MapIterator<[string, MemorySlot]> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  /** The user index: user ID to the keys of the records bound to it (kept in step with `slots`). */
  const userKeys = new Map<string, Set<string>>();

  function indexUser(key: string, slot: MemorySlot): void {
    const userId = slot.meta.userId;
    if (userId === undefined) return;
    let keys = userKeys.get(userId);
    if (keys === undefined) {
      keys = new Set();
      userKeys.set(userId, keys);
    }
    keys.add(key);
  }

  function unindexUser(key: string, userId: string | undefined): void {
    if (userId === undefined) return;
    const keys = userKeys.get(userId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) userKeys.delete(userId);
  }

  /** Removes a record and its index entry: every removal path goes through here. */
  function removeSlot(key: string, slot: MemorySlot): void {
    slots.delete(key);
    unindexUser(key, slot.meta.userId);
  }

  /** The live slot under `key`; an expired one is deleted and reported as absent. */
  function liveSlot(key: string, now: number): MemorySlot | undefined {
    const slot = slots.get(key);
    if (slot === undefined) return undefined;
    if (isLive(slot.expiresAt, now)) return slot;
    removeSlot(key, slot);
    return undefined;
  }

  /** Placements so far: each (re)insertion at the most recently used end gets the next number. */
  let placements = 0;

  /** Puts `slot` under `key` at the most recently used end. */
  function place(key: string, slot: MemorySlot): void {
    slot.placed = ++placements;
    slots.set(key, slot);
  }

  /** Moves `key` to the most recently used end. */
  function markUsed(key: string, slot: MemorySlot): void {
    slots.delete(key);
    place(key, slot);
  }

  /** Examines up to {@link SWEEP_STEP} records, removing expired ones. Called on every write. */
  function sweepStep(now: number): void {
    for (let examined = 0; examined < SWEEP_STEP; examined++) {
      cursor ??= slots.entries();
      const next = cursor.next();
      if (next.done === true) {
        // Restart on the next write, not now: an empty or fully swept map ends the step.
        cursor = undefined;
        return;
      }
      const [key, slot] = next.value;
      if (!isLive(slot.expiresAt, now)) removeSlot(key, slot);
    }
  }

  /**
   * The least recently used end, read through a persistent cursor: a fresh iterator would skip
   * again, on every eviction, the holes that deleting from the front leaves in the Map's table
   * (O(deleted records) until the table is rehashed: about 30 µs per eviction at 10,000 records).
   */
  let lruCursor: MapIterator<[string, MemorySlot]> | undefined;
  /**
   * Up to {@link EVICTION_PROBE} records read from the cursor and not evicted yet, oldest first,
   * each with the placement it had then: a record used since (moved to the other end) or removed
   * no longer matches and is dropped.
   */
  let lookahead: [string, MemorySlot, number][] = [];

  function stillOldest([key, slot, placed]: [string, MemorySlot, number]): boolean {
    return slots.get(key) === slot && slot.placed === placed;
  }

  function refillLookahead(): void {
    lookahead = lookahead.filter(stillOldest);
    let restarted = false;
    while (lookahead.length < EVICTION_PROBE) {
      lruCursor ??= slots.entries();
      const next = lruCursor.next();
      if (next.done === true) {
        // A finished iterator sees no later insertions: start over from the front, which
        // reads the records still held in the lookahead again, in order.
        lruCursor = undefined;
        if (restarted) return;
        restarted = true;
        lookahead = [];
        continue;
      }
      const [key, slot] = next.value;
      lookahead.push([key, slot, slot.placed]);
    }
  }

  /** Makes room for one more record: an expired record near the LRU end, else the LRU record. */
  function evictIfFull(now: number): void {
    while (slots.size >= maxEntries) {
      refillLookahead();
      if (lookahead.length === 0) return;
      let index = lookahead.findIndex(([, slot]) => !isLive(slot.expiresAt, now));
      if (index === -1) index = 0;
      const [[key, slot]] = lookahead.splice(index, 1) as [[string, MemorySlot, number]];
      removeSlot(key, slot);
    }
  }

  function deleteExpired(): number {
    const now = clock();
    let removed = 0;
    for (const [key, slot] of slots) {
      if (!isLive(slot.expiresAt, now)) {
        removeSlot(key, slot);
        removed++;
      }
    }
    return removed;
  }

  /** Counts without removing: a read stays a read (`deleteExpired` is the call that removes). */
  function countSessions(): number {
    const now = clock();
    let live = 0;
    for (const slot of slots.values()) if (isLive(slot.expiresAt, now)) live++;
    return live;
  }

  function close(): void {
    if (timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
  }

  if (sweepIntervalMs !== undefined) {
    timer = setInterval(deleteExpired, sweepIntervalMs);
    // Node and Bun return a Timeout object with `unref`; browsers, Deno and Workers a number.
    const handle: unknown = timer;
    if (typeof handle === 'object' && handle !== null && 'unref' in handle) {
      if (typeof handle.unref === 'function') handle.unref();
    }
  }

  const store = {
    name: 'memory',
    capabilities: {
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: 'exact',
      binaryValues: true,
    },

    get size(): number {
      return slots.size;
    },

    load(key: string): SessionRecord | undefined {
      const slot = liveSlot(key, clock());
      if (slot === undefined) return undefined;
      markUsed(key, slot);
      return fromSlot(slot);
    },

    create(key: string, record: SessionRecord): CreateResult {
      const now = clock();
      // Copy (and validate) first, so a bad record neither evicts nor sweeps anything.
      const slot = toSlot(record);
      if (liveSlot(key, now) !== undefined) return 'conflict';
      sweepStep(now);
      evictIfFull(now);
      place(key, slot);
      indexUser(key, slot);
      return 'created';
    },

    patch(key: string, patch: SessionPatch): PatchResult {
      const now = clock();
      sweepStep(now);
      const slot = liveSlot(key, now);
      if (slot === undefined) return 'missing';
      if (!fitsLimits(slot, patch)) return 'too-large';
      const previousUser = slot.meta.userId;
      applyPatch(slot, patch);
      if (slot.meta.userId !== previousUser) {
        unindexUser(key, previousUser);
        indexUser(key, slot);
      }
      markUsed(key, slot);
      return 'ok';
    },

    patchIf(key: string, condition: EntryCondition, patch: SessionPatch): ConditionalWriteResult {
      const now = clock();
      const slot = liveSlot(key, now);
      if (slot === undefined) return 'missing';
      const entry = slot.entries.get(condition.key);
      const live = entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > now);
      if (!storedValuesEqual(live ? entry.value : undefined, condition.value)) return 'conflict';
      return store.patch(key, patch);
    },

    touch(key: string, expiresAt: number): WriteResult {
      assertInstant(expiresAt, 'expiresAt');
      const now = clock();
      sweepStep(now);
      const slot = liveSlot(key, now);
      if (slot === undefined) return 'missing';
      slot.expiresAt = expiresAt;
      markUsed(key, slot);
      return 'ok';
    },

    rotate(fromKey: string, toKey: string, patch: SessionPatch): RotateResult {
      const now = clock();
      sweepStep(now);
      const slot = liveSlot(fromKey, now);
      if (slot === undefined) return 'missing';
      // With fromKey === toKey the target "exists" (it is the source): conflict, nothing changes.
      if (liveSlot(toKey, now) !== undefined) return 'conflict';
      if (!fitsLimits(slot, patch)) return 'too-large';
      const previousUser = slot.meta.userId;
      applyPatch(slot, patch);
      slots.delete(fromKey);
      unindexUser(fromKey, previousUser);
      // Synchronous, so no other call can observe the moment between these lines.
      place(toKey, slot);
      indexUser(toKey, slot);
      return 'ok';
    },

    destroy(key: string): void {
      sweepStep(clock());
      const slot = slots.get(key);
      if (slot !== undefined) removeSlot(key, slot);
    },

    listUserSessions(userId: string): UserSessionRecord[] {
      const now = clock();
      const listed: UserSessionRecord[] = [];
      for (const key of [...(userKeys.get(userId) ?? [])]) {
        const slot = liveSlot(key, now);
        if (slot !== undefined && slot.meta.userId === userId) {
          listed.push({ key, meta: copyMeta(slot.meta), expiresAt: slot.expiresAt });
        }
      }
      return listed;
    },

    destroyUserSessions(userId: string, options: DestroyUserSessionsOptions = {}): string[] {
      const now = clock();
      const candidates = options.only ?? [...(userKeys.get(userId) ?? [])];
      const destroyed: string[] = [];
      for (const key of candidates) {
        if (key === options.except) continue;
        const slot = liveSlot(key, now);
        if (slot === undefined || slot.meta.userId !== userId) continue;
        removeSlot(key, slot);
        destroyed.push(key);
      }
      return destroyed;
    },

    deleteExpired,
    countSessions,
    close,
    [Symbol.dispose]: close,
  } satisfies MemoryStore;

  return store;
}
