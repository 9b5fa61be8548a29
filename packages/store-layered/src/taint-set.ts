import type { Clock } from '@sessions/core';
import type { LayeredStoreEvent } from './layered-store-event.js';

/**
 * Keys whose hot copy a write failed to remove, so the copy may be stale (or revoked) and must not
 * be served. Why in-process and time-bounded: the layered store cannot write anything to hot when
 * hot is failing, so the memory of "this copy is bad" has to live here, and it only needs to live
 * until the copy has certainly expired: a copy is filled at most `FILL_LEASE_MS` after the
 * write that taints it began (the lease it fills was inserted before that write's cold step)
 * and lives at most `hotTtlMs` after its fill, so `hotTtlMs + lease + clock margin` after the
 * taint it is gone. Bounded: past `capacity` keys the store stops reading hot altogether for that
 * same window instead of forgetting one (forgetting could serve a revoked session).
 */
export interface TaintSet {
  /** Remembers that `key`'s hot copy may be stale. */
  add(key: string): void;
  /** Whether `key` is tainted (after an overflow, {@link TaintSet.bypassed} covers every key). */
  has(key: string): boolean;
  /**
   * A number to pass to {@link TaintSet.clear}: read it before issuing the hot removal, so a
   * taint added while that removal was in flight (by a concurrent write whose own removal failed)
   * is not forgotten with it.
   */
  sequence(): number;
  /** Forgets `key` if it was tainted at or before `sequence` (its hot copy was removed since). */
  clear(key: string, sequence: number): void;
  /** Whether hot must not be read at all (after an overflow). */
  bypassed(): boolean;
}

/** What {@link createTaintSet} needs. */
export interface TaintSetOptions {
  readonly capacity: number;
  /** How long a taint lasts: the longest a copy filled around the failed write can live. */
  readonly windowMs: number;
  readonly clock: Clock;
  readonly emit: (event: LayeredStoreEvent) => void;
}

/** Creates an empty {@link TaintSet}. */
export function createTaintSet(options: TaintSetOptions): TaintSet {
  const { capacity, windowMs, clock, emit } = options;
  /** Key → when its taint ends and when it was added. Insertion order is expiry order. */
  const taints = new Map<string, { readonly end: number; readonly sequence: number }>();
  let bypassUntil: number | undefined;
  let added = 0;

  function prune(now: number): void {
    for (const [key, taint] of taints) {
      if (taint.end > now) return;
      taints.delete(key);
    }
  }

  return {
    add(key) {
      const now = clock();
      prune(now);
      taints.delete(key);
      added++;
      if (taints.size < capacity) {
        taints.set(key, { end: now + windowMs, sequence: added });
        return;
      }
      // Full: cover every key at once for the window, which also covers all those remembered.
      bypassUntil = now + windowMs;
      taints.clear();
      emit({ type: 'hot-bypassed', until: bypassUntil });
    },
    has(key) {
      const taint = taints.get(key);
      if (taint === undefined) return false;
      if (taint.end > clock()) return true;
      taints.delete(key);
      return false;
    },
    sequence: () => added,
    clear(key, sequence) {
      const taint = taints.get(key);
      if (taint !== undefined && taint.sequence <= sequence) taints.delete(key);
    },
    bypassed() {
      if (bypassUntil === undefined) return false;
      if (clock() < bypassUntil) return true;
      bypassUntil = undefined;
      return false;
    },
  };
}
