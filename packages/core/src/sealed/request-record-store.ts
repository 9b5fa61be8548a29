import { storedValuesEqual } from '../codec/stored-value.js';
import {
  applyPatch,
  assertInstant,
  fromSlot,
  type MemorySlot,
  toSlot,
} from '../store/memory-slot.js';
import type {
  ConditionalWriteResult,
  CreateResult,
  EntryCondition,
  RotateResult,
  SessionPatch,
  SessionRecord,
  WriteResult,
} from '../store/session-record.js';
import type { SessionStore } from '../store/session-store.js';

/**
 * A {@link SessionStore} that lives for one request and holds at most one record: the session the
 * sealed cookie carried, then whatever the engine writes. The engine runs against it exactly as
 * against a server store; at commit the sealed-cookie manager seals {@link RequestRecordStore.recordAt}
 * into the `Set-Cookie`. Synchronous and in-process, so it never fails.
 *
 * It departs from the contract in one documented way: `load` also returns an expired record, so
 * the engine (which re-checks expiry after every load) reports it as `session-expired` rather than
 * `session-unknown`. Writes still apply only to a live record.
 */
export interface RequestRecordStore extends SessionStore {
  load(key: string): SessionRecord | undefined;
  create(key: string, record: SessionRecord): CreateResult;
  patch(key: string, patch: SessionPatch): WriteResult;
  patchIf(key: string, condition: EntryCondition, patch: SessionPatch): ConditionalWriteResult;
  touch(key: string, expiresAt: number): WriteResult;
  rotate(fromKey: string, toKey: string, patch: SessionPatch): RotateResult;
  destroy(key: string): void;
  /** Puts the record the request presented under `key` (before the engine's first load). */
  seed(key: string, record: SessionRecord): void;
  /** A copy of the record under `key`, if this store holds it (expired or not). */
  recordAt(key: string): SessionRecord | undefined;
}

/** Creates an empty {@link RequestRecordStore}; `clock` decides liveness for writes. */
export function createRequestRecordStore(clock: () => number): RequestRecordStore {
  let held: { key: string; slot: MemorySlot } | undefined;

  const liveSlot = (key: string): MemorySlot | undefined =>
    held !== undefined && held.key === key && held.slot.expiresAt > clock() ? held.slot : undefined;

  return {
    name: 'sealed-cookie',
    // `update()` works, but only within this request: parallel requests each seal their own
    // cookie and the last response wins, so a sealed cookie cannot offer a cross-request
    // compare-and-set (documented in the README).
    capabilities: {
      atomicRotate: true,
      deleteExpired: false,
      conditionalPatch: true,
      binaryValues: true,
    },
    seed(key, record) {
      held = { key, slot: toSlot(record) };
    },
    recordAt(key) {
      return held !== undefined && held.key === key ? fromSlot(held.slot) : undefined;
    },
    load(key) {
      return held !== undefined && held.key === key ? fromSlot(held.slot) : undefined;
    },
    create(key, record) {
      const slot = toSlot(record);
      if (liveSlot(key) !== undefined) return 'conflict';
      held = { key, slot };
      return 'created';
    },
    patch(key, patch) {
      const slot = liveSlot(key);
      if (slot === undefined) return 'missing';
      applyPatch(slot, patch);
      return 'ok';
    },
    patchIf(key, condition, patch) {
      const slot = liveSlot(key);
      if (slot === undefined) return 'missing';
      const entry = slot.entries.get(condition.key);
      const live =
        entry !== undefined && (entry.expiresAt === undefined || entry.expiresAt > clock());
      if (!storedValuesEqual(live ? entry.value : undefined, condition.value)) return 'conflict';
      applyPatch(slot, patch);
      return 'ok';
    },
    touch(key, expiresAt) {
      assertInstant(expiresAt, 'expiresAt');
      const slot = liveSlot(key);
      if (slot === undefined) return 'missing';
      slot.expiresAt = expiresAt;
      return 'ok';
    },
    rotate(fromKey, toKey, patch) {
      const slot = liveSlot(fromKey);
      if (slot === undefined) return 'missing';
      if (fromKey === toKey) return 'conflict';
      applyPatch(slot, patch);
      held = { key: toKey, slot };
      return 'ok';
    },
    destroy(key) {
      if (held !== undefined && held.key === key) held = undefined;
    },
  };
}
