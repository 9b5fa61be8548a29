/**
 * Proves the suite can fail: each check runs once against a correct memory store (it must pass)
 * and once against a store broken in one specific way (it must fail with an assertion error).
 */
import {
  createMemoryStore,
  type MemoryStore,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredEntry,
} from '@sessions/core';
import { describe, expect, it } from 'vitest';
import {
  type ConformanceCheckFn,
  checkCapabilityFlags,
  checkCountFollowsWrites,
  checkCountParallelWrites,
  checkCountSkipsExpired,
  checkCountStartsAtZero,
  checkCreateConflict,
  checkCreateInputIsolation,
  checkCreateOverExpired,
  checkCreateThenLoad,
  checkDeleteExpired,
  checkDeleteExpiredKeepsLive,
  checkDestroyedStaysDead,
  checkDestroyIdempotent,
  checkDestroyRemoves,
  checkEmptyRecord,
  checkExpiredInvisible,
  checkExpiredWritesMissing,
  checkHostileKeys,
  checkHostileValues,
  checkKeysIndependent,
  checkLoadOutputIsolation,
  checkLoadUnknownKey,
  checkMetaOptionalFields,
  checkParallelCreates,
  checkParallelPatches,
  checkPatchClear,
  checkPatchExpiresAtMoves,
  checkPatchesRacingDestroy,
  checkPatchesWithTouches,
  checkPatchInputIsolation,
  checkPatchMetaAbsentKeeps,
  checkPatchMetaReplaces,
  checkPatchMissingDestroyed,
  checkPatchMissingExpired,
  checkPatchMissingUnknown,
  checkPatchRemove,
  checkPatchSet,
  checkPerKeyExpiry,
  checkPurgeCountsOnlyExpired,
  checkPurgeKeepsExtended,
  checkRotateClearKeepsMeta,
  checkRotateConcurrentPatches,
  checkRotateConflict,
  checkRotateMissingExpired,
  checkRotateMissingSource,
  checkRotateMovesWithPatch,
  checkRotateOverExpiredTarget,
  checkTouchExtends,
  checkTouchMissing,
  checkTouchMovesExpiryOnly,
  createConformanceHarness,
  ManualClock,
} from '../src/index.js';

/** Builds a store from the given clock. */
type StoreFactory = (clock: ManualClock) => SessionStore;

/** A memory store with some methods replaced; `base` is the intact store underneath. */
function broken(override: (base: MemoryStore) => Partial<SessionStore>): StoreFactory {
  return (clock) => {
    const base = createMemoryStore({ clock: clock.clock });
    return { ...base, ...override(base) };
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The record a patch would produce for a store that ignores whether the record exists. */
function recordFrom(patch: SessionPatch, meta: SessionMeta = { createdAt: 0 }): SessionRecord {
  return { entries: patch.set, meta: patch.meta ?? meta, expiresAt: patch.expiresAt };
}

/** A store that keeps whatever objects it is given and hands out its own (no copies). */
const sharesReferences: StoreFactory = () => {
  const records = new Map<string, SessionRecord>();
  return {
    name: 'shares-references',
    capabilities: { atomicRotate: true, deleteExpired: false },
    load: (key) => records.get(key),
    create: (key, record) => {
      if (records.has(key)) return 'conflict';
      records.set(key, record);
      return 'created';
    },
    patch: (key, patch) => {
      const record = records.get(key);
      if (record === undefined) return 'missing';
      const entries = record.entries as Map<string, StoredEntry>;
      if (patch.clear) entries.clear();
      for (const name of patch.remove) entries.delete(name);
      for (const [name, entry] of patch.set) entries.set(name, entry);
      records.set(key, { entries, meta: patch.meta ?? record.meta, expiresAt: patch.expiresAt });
      return 'ok';
    },
    touch: () => 'ok',
    rotate: () => 'ok',
    destroy: (key) => {
      records.delete(key);
    },
  };
};

/** Copies a loaded record's entries through a plain object, as a naive JSON store would. */
function throughPlainObject(record: SessionRecord | undefined): SessionRecord | undefined {
  if (record === undefined) return undefined;
  const object: Record<string, StoredEntry> = {};
  for (const [key, entry] of record.entries) object[key] = entry;
  return { ...record, entries: new Map(Object.entries(object)) };
}

/** Maps every entry of a record. */
function mapEntries(record: SessionRecord, map: (entry: StoredEntry) => StoredEntry) {
  return new Map([...record.entries].map(([key, entry]) => [key, map(entry)]));
}

interface BrokenCase {
  readonly breakage: string;
  readonly make: StoreFactory;
  readonly checks: readonly ConformanceCheckFn[];
  readonly usesClock?: boolean;
  /** Undoes damage the broken store did to the process (e.g. prototype pollution). */
  readonly cleanup?: () => void;
}

const cases: readonly BrokenCase[] = [
  {
    breakage: 'load of an unknown key returns an empty record',
    make: broken((base) => ({
      load: (key) => base.load(key) ?? { entries: new Map(), meta: { createdAt: 0 }, expiresAt: 0 },
    })),
    checks: [checkLoadUnknownKey],
  },
  {
    breakage: 'create overwrites a live record',
    make: broken((base) => ({
      create: (key, record) => {
        base.destroy(key);
        return base.create(key, record);
      },
    })),
    checks: [checkCreateConflict, checkParallelCreates],
  },
  {
    breakage: 'create refuses any key ever used, even expired or destroyed',
    make: broken((base) => {
      const used = new Set<string>();
      return {
        create: (key, record) => {
          if (used.has(key)) return 'conflict';
          used.add(key);
          return base.create(key, record);
        },
      };
    }),
    checks: [checkCreateOverExpired, checkDestroyedStaysDead],
  },
  {
    breakage: 'every key maps to one slot',
    make: broken((base) => ({
      load: () => base.load('slot'),
      create: (_key, record) => base.create('slot', record),
    })),
    checks: [checkKeysIndependent],
  },
  {
    breakage: 'per-key expiry is dropped',
    make: broken((base) => ({
      create: (key, record) =>
        base.create(key, { ...record, entries: mapEntries(record, ({ value }) => ({ value })) }),
    })),
    checks: [checkCreateThenLoad, checkPerKeyExpiry],
  },
  {
    breakage: 'falsy meta fields are dropped',
    make: broken((base) => ({
      create: (key, record) =>
        base.create(key, {
          ...record,
          meta: Object.fromEntries(
            Object.entries(record.meta).filter(([, value]) => Boolean(value)),
          ) as unknown as SessionMeta,
        }),
    })),
    checks: [checkMetaOptionalFields],
  },
  {
    breakage: 'a record without entries reads as absent',
    make: broken((base) => ({
      load: (key) => {
        const record = base.load(key);
        return record?.entries.size === 0 ? undefined : record;
      },
    })),
    checks: [checkEmptyRecord],
  },
  {
    breakage: 'patch resurrects missing records',
    make: broken((base) => ({
      patch: (key, patch) => {
        if (base.patch(key, patch) === 'missing') base.create(key, recordFrom(patch));
        return 'ok';
      },
    })),
    checks: [
      checkPatchMissingUnknown,
      checkPatchMissingDestroyed,
      checkPatchMissingExpired,
      checkDestroyedStaysDead,
      checkPatchesRacingDestroy,
    ],
  },
  {
    breakage: 'patch ignores clear, remove and the new expiry',
    make: broken((base) => ({
      patch: (key, patch) => {
        const expiresAt = base.load(key)?.expiresAt ?? patch.expiresAt;
        return base.patch(key, { ...patch, clear: false, remove: [], expiresAt });
      },
    })),
    checks: [checkPatchClear, checkPatchRemove, checkPatchExpiresAtMoves, checkPatchSet],
  },
  {
    breakage: 'patch merges meta instead of replacing it, and resets it when absent',
    make: broken((base) => ({
      patch: (key, patch) => {
        const stored = base.load(key)?.meta ?? { createdAt: 0 };
        const meta = patch.meta === undefined ? { createdAt: 0 } : { ...stored, ...patch.meta };
        return base.patch(key, { ...patch, meta });
      },
    })),
    checks: [checkPatchMetaReplaces, checkPatchMetaAbsentKeeps],
  },
  {
    breakage: 'patch is a read-modify-write across an await (lost updates)',
    make: broken((base) => ({
      patch: async (key, patch) => {
        const record = base.load(key);
        await tick();
        if (record === undefined) return 'missing';
        base.destroy(key);
        const entries = new Map(record.entries);
        for (const [name, entry] of patch.set) entries.set(name, entry);
        base.create(key, { ...record, entries, expiresAt: patch.expiresAt });
        return 'ok';
      },
    })),
    checks: [checkParallelPatches],
  },
  {
    breakage: 'touch rewrites the entries',
    make: broken((base) => ({
      touch: (key, expiresAt) => {
        const result = base.patch(key, { set: new Map(), remove: [], clear: true, expiresAt });
        return result === 'too-large' ? 'ok' : result;
      },
    })),
    checks: [checkTouchMovesExpiryOnly],
  },
  {
    breakage: 'touch reports ok but does not move the expiry',
    make: broken((base) => ({
      touch: (key) => (base.load(key) === undefined ? 'missing' : 'ok'),
    })),
    checks: [checkTouchMovesExpiryOnly, checkTouchExtends],
  },
  {
    breakage: 'touch resurrects missing records',
    make: broken((base) => ({
      touch: (key, expiresAt) => {
        if (base.touch(key, expiresAt) === 'missing') {
          base.create(key, { entries: new Map(), meta: { createdAt: 0 }, expiresAt });
        }
        return 'ok';
      },
    })),
    checks: [checkTouchMissing, checkExpiredWritesMissing],
  },
  {
    breakage: 'touch writes back a stale snapshot',
    make: broken((base) => ({
      touch: async (key, expiresAt) => {
        const record = base.load(key);
        await tick();
        if (record === undefined) return 'missing';
        base.destroy(key);
        base.create(key, { ...record, expiresAt });
        return 'ok';
      },
    })),
    checks: [checkPatchesWithTouches],
  },
  {
    breakage: 'rotate copies but leaves the old key alive',
    make: broken((base) => ({
      rotate: (from, to, patch) => {
        const record = base.load(from);
        if (record === undefined) return 'missing';
        return base.create(to, record) === 'created' && base.patch(to, patch) === 'ok'
          ? 'ok'
          : 'conflict';
      },
    })),
    checks: [checkRotateMovesWithPatch],
  },
  {
    breakage: 'rotate overwrites an existing target',
    make: broken((base) => ({
      rotate: (from, to, patch) => {
        if (base.load(from) !== undefined) base.destroy(to);
        return base.rotate(from, to, patch);
      },
    })),
    checks: [checkRotateConflict],
  },
  {
    breakage: 'rotate creates the target when the source is gone',
    make: broken((base) => ({
      rotate: (from, to, patch) => {
        const result = base.rotate(from, to, patch);
        if (result === 'missing') base.create(to, recordFrom(patch));
        return result;
      },
    })),
    checks: [checkRotateMissingSource, checkRotateMissingExpired],
  },
  {
    breakage: 'rotate ignores clear',
    make: broken((base) => ({
      rotate: (from, to, patch) => base.rotate(from, to, { ...patch, clear: false }),
    })),
    checks: [checkRotateClearKeepsMeta],
  },
  {
    breakage: 'rotate treats an expired target as a conflict',
    make: broken((base) => {
      const used = new Set<string>();
      return {
        create: (key, record) => {
          used.add(key);
          return base.create(key, record);
        },
        rotate: (from, to, patch) => (used.has(to) ? 'conflict' : base.rotate(from, to, patch)),
      };
    }),
    checks: [checkRotateOverExpiredTarget],
  },
  {
    breakage: 'rotate is a non-atomic copy then delete',
    make: broken((base) => ({
      rotate: async (from, to, patch) => {
        const record = base.load(from);
        await tick();
        if (record === undefined) return 'missing';
        if (base.create(to, record) === 'conflict') return 'conflict';
        base.patch(to, patch);
        base.destroy(from);
        return 'ok';
      },
    })),
    checks: [checkRotateConcurrentPatches],
  },
  {
    breakage: 'destroy removes every record',
    make: broken((base) => {
      const keys = new Set<string>();
      return {
        create: (key, record) => {
          keys.add(key);
          return base.create(key, record);
        },
        destroy: () => {
          for (const key of keys) base.destroy(key);
        },
      };
    }),
    checks: [checkDestroyRemoves],
  },
  {
    breakage: 'destroy of an absent record throws',
    make: broken((base) => ({
      destroy: (key) => {
        if (base.load(key) === undefined) throw new Error('no such record');
        base.destroy(key);
      },
    })),
    checks: [checkDestroyIdempotent],
  },
  {
    breakage: 'expiry is never enforced (manual clock)',
    make: () => createMemoryStore({ clock: () => 0 }),
    checks: [checkExpiredInvisible, checkExpiredWritesMissing, checkPatchMissingExpired],
  },
  {
    breakage: 'expiry is never enforced (real clock, bounded wait)',
    make: () => createMemoryStore({ clock: () => 0 }),
    checks: [checkExpiredInvisible],
    usesClock: false,
  },
  {
    breakage: 'entries pass through a plain object',
    make: broken((base) => ({ load: (key) => throughPlainObject(base.load(key)) })),
    checks: [checkHostileKeys],
  },
  {
    breakage: 'entry names index a plain object (prototype pollution)',
    make: broken((base) => ({
      create: (key, record) => {
        const index: Record<string, { seen?: boolean }> = {};
        for (const [name, entry] of record.entries) {
          // The classic bug: index['__proto__'] is Object.prototype, which then gets `.seen`.
          index[name] ??= {};
          const slot = index[name];
          if (slot !== undefined) slot.seen = entry.value !== '';
        }
        return base.create(key, record);
      },
    })),
    checks: [checkHostileKeys],
    cleanup: () => {
      Reflect.deleteProperty(Object.prototype, 'seen');
    },
  },
  {
    breakage: 'keys are case-folded and NFC-normalised',
    make: broken((base) => ({
      create: (key, record) =>
        base.create(key, {
          ...record,
          entries: new Map(
            [...record.entries].map(([name, entry]) => [name.toLowerCase().normalize(), entry]),
          ),
        }),
    })),
    checks: [checkHostileKeys],
  },
  {
    breakage: 'values are truncated to 64 KiB',
    make: broken((base) => ({
      create: (key, record) =>
        base.create(key, {
          ...record,
          entries: mapEntries(record, (entry) => ({
            ...entry,
            value: entry.value.slice(0, 65_536),
          })),
        }),
    })),
    checks: [checkHostileValues],
  },
  {
    breakage: 'values are trimmed',
    make: broken((base) => ({
      create: (key, record) =>
        base.create(key, {
          ...record,
          entries: mapEntries(record, (entry) => ({
            ...entry,
            value: (entry.value as string).trim(),
          })),
        }),
    })),
    checks: [checkHostileValues],
  },
  {
    breakage: 'records are stored and returned by reference',
    make: sharesReferences,
    checks: [checkCreateInputIsolation, checkLoadOutputIsolation, checkPatchInputIsolation],
  },
  {
    breakage: 'capabilities.deleteExpired is declared without the method',
    make: (clock) => {
      const { deleteExpired: _, ...store } = createMemoryStore({ clock: clock.clock });
      return { ...store, capabilities: { atomicRotate: true, deleteExpired: true } };
    },
    checks: [checkCapabilityFlags, checkDeleteExpired],
  },
  {
    breakage: 'deleteExpired removes nothing and reports 0',
    make: broken(() => ({ deleteExpired: () => 0 })),
    checks: [checkDeleteExpired],
  },
  {
    breakage: 'deleteExpired removes live records too',
    make: broken((base) => {
      const keys = new Set<string>();
      return {
        create: (key, record) => {
          keys.add(key);
          return base.create(key, record);
        },
        deleteExpired: () => {
          for (const key of keys) base.destroy(key);
          return keys.size;
        },
      };
    }),
    checks: [checkDeleteExpired, checkDeleteExpiredKeepsLive],
  },
  {
    breakage: 'capabilities.count is declared without countSessions',
    make: (clock) => {
      const { countSessions: _, ...store } = createMemoryStore({ clock: clock.clock });
      return store;
    },
    checks: [checkCapabilityFlags, checkCountStartsAtZero],
  },
  {
    breakage: 'countSessions counts records held, expired ones included (the size)',
    make: broken((base) => ({ countSessions: () => base.size })),
    checks: [checkCountSkipsExpired, checkPurgeKeepsExtended],
  },
  {
    breakage: 'countSessions counts a namespace shared with others (one record too many)',
    make: broken((base) => ({ countSessions: () => base.countSessions() + 1 })),
    checks: [checkCountStartsAtZero, checkCountFollowsWrites, checkCountParallelWrites],
  },
  {
    breakage: 'countSessions counts creates and never forgets a destroyed or moved record',
    make: broken((base) => {
      let created = 0;
      return {
        create: (key, record) => {
          const result = base.create(key, record);
          if (result === 'created') created++;
          return result;
        },
        rotate: (from, to, patch) => {
          const result = base.rotate(from, to, patch);
          if (result === 'ok') created++;
          return result;
        },
        countSessions: () => created,
      };
    }),
    checks: [checkCountFollowsWrites, checkCountParallelWrites],
  },
  {
    breakage: 'deleteExpired reports more than it removed',
    make: broken((base) => ({ deleteExpired: () => base.deleteExpired() + 1 })),
    checks: [checkPurgeCountsOnlyExpired],
  },
  {
    breakage: 'deleteExpired goes by the deadline records were created with, not their current one',
    make: (clock) => {
      const base = createMemoryStore({ clock: clock.clock });
      const createdExpiry = new Map<string, number>();
      return {
        ...base,
        create: (key, record) => {
          createdExpiry.set(key, record.expiresAt);
          return base.create(key, record);
        },
        deleteExpired: () => {
          let removed = 0;
          for (const [key, expiresAt] of createdExpiry) {
            if (expiresAt > clock.now()) continue;
            base.destroy(key);
            createdExpiry.delete(key);
            removed++;
          }
          return removed;
        },
      };
    },
    checks: [checkPurgeKeepsExtended],
  },
];

/** Runs `check` against the store `make` builds, with a fresh manual clock. */
function run(check: ConformanceCheckFn, make: StoreFactory, usesClock: boolean): Promise<void> {
  const clock = new ManualClock();
  return check(createConformanceHarness({ store: make(clock), usesClock }, clock));
}

/** A correct store: on the manual clock when the check uses it, else on the real clock. */
function intact(usesClock: boolean): StoreFactory {
  return (clock) => createMemoryStore(usesClock ? { clock: clock.clock } : {});
}

describe('the conformance checks can fail', () => {
  for (const { breakage, make, checks, usesClock = true, cleanup } of cases) {
    describe(breakage, () => {
      for (const check of checks) {
        it(`${check.name} passes on the intact store and fails on the broken one`, async () => {
          await run(check, intact(usesClock), usesClock);
          try {
            await expect(run(check, make, usesClock)).rejects.toMatchObject({
              name: 'AssertionError',
            });
          } finally {
            cleanup?.();
          }
        });
      }
    });
  }
});
