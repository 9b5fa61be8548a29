import type { Clock } from '@sessions/core';
import type { KvBackend, KvCheck, KvEntry, KvMutation } from './kv-backend.js';

/** Options for {@link createMemoryKv}. */
export interface MemoryKvOptions {
  /**
   * Source of "now" for expiry. A real backend uses its own clock; this one takes an injectable
   * clock so the conformance suite can move time instead of sleeping.
   * @default Date.now
   */
  readonly clock?: Clock | undefined;
}

interface Slot {
  value: string;
  version: string;
  expiresAt: number;
}

/** Lets other callers run between the steps of a call, as a network round trip would. */
function roundTrip(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * An in-process stand-in for a remote key-value service, for the template's tests: every call
 * yields to the event loop (so concurrent calls really interleave), values expire at their
 * absolute `expiresAt`, and `commit` is atomic because its checks and writes run without yielding.
 * Replace it with your real backend; keep it (or the real thing) in your tests.
 */
export function createMemoryKv(options: MemoryKvOptions = {}): KvBackend {
  const clock = options.clock ?? Date.now;
  const slots = new Map<string, Slot>();
  let nextVersion = 0;

  function live(key: string): Slot | undefined {
    const slot = slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt > clock()) return slot;
    slots.delete(key);
    return undefined;
  }

  return {
    async get(key: string): Promise<KvEntry | undefined> {
      await roundTrip();
      const slot = live(key);
      return slot === undefined ? undefined : { value: slot.value, version: slot.version };
    },

    async commit(
      checks: readonly KvCheck[],
      mutations: readonly KvMutation[],
      deadline: number,
    ): Promise<boolean> {
      await roundTrip();
      // From here to the return nothing awaits: the checks and the writes are one atomic step.
      // The deadline is on the machine's real clock (the caller's timer), not the expiry clock.
      if (Date.now() >= deadline) throw new Error('memory kv: commit arrived after its deadline');
      for (const check of checks) {
        if (live(check.key)?.version !== check.version) return false;
      }
      for (const mutation of mutations) {
        if (mutation.type === 'delete') {
          slots.delete(mutation.key);
        } else {
          nextVersion += 1;
          slots.set(mutation.key, {
            value: mutation.value,
            version: String(nextVersion),
            expiresAt: mutation.expiresAt,
          });
        }
      }
      return true;
    },
  };
}
