/**
 * Proves the hostile lifecycle scenarios can fail: each one named below passes on the intact
 * memory store and engine (see web-adapter.scenarios.test.ts) and fails with an assertion error
 * when the store or the engine's options are broken in one specific way.
 */
import {
  createMemoryStore,
  type MemoryStore,
  type SessionAdapterOptions,
  type SessionManagerOptions,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredEntry,
} from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { hostileLifecycleScenarios } from '../src/adapter/scenarios-hostile-lifecycle.js';
import { createScenarioContext, type ManualClock, type ScenarioData } from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

type Options = SessionAdapterOptions<ScenarioData>;

interface Mutant {
  readonly breakage: string;
  /** The broken store (default: the intact memory store on the scenario's clock). */
  readonly store?: (clock: ManualClock) => SessionStore;
  /** Broken manager options (default: unchanged). */
  readonly options?: (options: Options) => Options;
  /** Names of the scenarios that must catch it. */
  readonly scenarios: readonly string[];
}

/** A memory store on `clock` with some methods replaced; `base` is the intact store underneath. */
function broken(
  override: (base: MemoryStore) => Partial<SessionStore>,
  lagMs = 0,
): (clock: ManualClock) => SessionStore {
  return (clock) => {
    const base = createMemoryStore({ clock: () => clock.now() - lagMs });
    return { ...base, ...override(base) };
  };
}

function mapValues(entries: ReadonlyMap<string, StoredEntry>, map: (value: string) => string) {
  return new Map(
    [...entries].map(([key, entry]) => [key, { ...entry, value: map(entry.value as string) }]),
  );
}

/** Copies entries through a plain object, as a naive JSON store would (`__proto__` is lost). */
function throughPlainObject(entries: ReadonlyMap<string, StoredEntry>): Map<string, StoredEntry> {
  const object: Record<string, StoredEntry> = {};
  for (const [key, entry] of entries) object[key] = entry;
  return new Map(Object.entries(object));
}

const byName = (prefix: string) => {
  const found = hostileLifecycleScenarios.filter((scenario) => scenario.name.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0] as (typeof hostileLifecycleScenarios)[number];
};

const mutants: readonly Mutant[] = [
  {
    breakage: 'patchIf ignores its condition (a plain patch)',
    store: broken((base) => ({
      patchIf: (key, _condition, patch) => base.patch(key, patch),
    })),
    scenarios: ['optimistic update: 100 parallel increments'],
  },
  {
    breakage: 'rotate leaves the source record live',
    store: broken((base) => ({
      rotate: (from, to, patch) => {
        const source = base.load(from);
        const result = base.rotate(from, to, patch);
        if (result === 'ok' && source !== undefined) base.create(from, source);
        return result;
      },
    })),
    scenarios: [
      'fixation: a planted session',
      'fixation: sign-in keeps',
      'fixation: POST /login',
      'a colliding ID on regenerate',
      'regenerate or sign-in racing',
    ],
  },
  {
    breakage: 'destroy does nothing',
    store: broken(() => ({ destroy: () => undefined })),
    scenarios: ['logout replay', 'logout racing an in-flight write'],
  },
  {
    breakage: 'patch writes a missing record back (upsert)',
    store: broken((base) => ({
      patch: (key, patch: SessionPatch) => {
        if (base.patch(key, patch) === 'ok') return 'ok';
        base.create(key, {
          entries: patch.set,
          meta: patch.meta ?? { createdAt: 0 },
          expiresAt: patch.expiresAt,
        });
        return 'ok';
      },
    })),
    scenarios: ['logout racing an in-flight write', 'regenerate or sign-in racing'],
  },
  {
    breakage: 'rotate succeeds when the source is gone, writing the target from the patch',
    store: broken((base) => ({
      rotate: (from, to, patch) => {
        const result = base.rotate(from, to, patch);
        if (result !== 'missing') return result;
        base.create(to, {
          entries: patch.set,
          meta: patch.meta ?? { createdAt: 0 },
          expiresAt: patch.expiresAt,
        });
        return 'ok';
      },
    })),
    scenarios: ['two sign-ins racing', 'logout racing an in-flight sign-in'],
  },
  {
    breakage: 'rotate moves the record as last loaded, not as stored (a stale cache)',
    store: broken((base) => {
      const seen = new Map<string, SessionRecord>();
      return {
        load: (key) => {
          const record = base.load(key);
          if (record !== undefined) seen.set(key, record);
          return record;
        },
        rotate: (from, to, patch) => {
          const snapshot = seen.get(from);
          if (snapshot === undefined || base.load(from) === undefined) return 'missing';
          if (base.load(to) !== undefined) return 'conflict';
          base.destroy(from);
          const entries = new Map(patch.clear ? [] : snapshot.entries);
          for (const key of patch.remove) entries.delete(key);
          for (const [key, entry] of patch.set) entries.set(key, entry);
          base.create(to, {
            entries,
            meta: patch.meta ?? snapshot.meta,
            expiresAt: patch.expiresAt,
          });
          return 'ok';
        },
      };
    }),
    scenarios: ['a write landing while regenerate'],
  },
  {
    breakage: 'touch writes a missing record back',
    store: broken((base) => ({
      touch: (key, expiresAt) => {
        if (base.touch(key, expiresAt) === 'ok') return 'ok';
        base.create(key, { entries: new Map(), meta: { createdAt: 0 }, expiresAt });
        return 'ok';
      },
    })),
    scenarios: ['logout racing an in-flight read'],
  },
  {
    breakage: 'create overwrites a live record',
    store: broken((base) => ({
      create: (key, record) => {
        base.destroy(key);
        return base.create(key, record);
      },
    })),
    scenarios: ['a colliding ID on create', 'IDs that always collide'],
  },
  {
    breakage: 'rotate overwrites a live target',
    store: broken((base) => ({
      rotate: (from, to, patch) => {
        if (base.load(from) !== undefined) base.destroy(to);
        return base.rotate(from, to, patch);
      },
    })),
    scenarios: ['a colliding ID on regenerate', 'IDs that always collide'],
  },
  {
    breakage: 'patch replaces every entry (a whole-record write)',
    store: broken((base) => ({
      patch: (key, patch) => base.patch(key, { ...patch, clear: true }),
    })),
    scenarios: ['200 parallel requests', 'a slow request overlapping'],
  },
  {
    breakage: 'the store compares expiry one millisecond late',
    store: broken(() => ({}), 1),
    scenarios: ['idle expiry at its boundary', 'absolute expiry at its boundary', 'a session past'],
  },
  {
    breakage: 'the engine reads a clock two seconds behind (an expired record looks live)',
    options: (options) => {
      const { clock = Date.now } = options as SessionManagerOptions;
      return { ...(options as SessionManagerOptions), clock: () => clock() - 2_000 };
    },
    scenarios: ['an expired record still present'],
  },
  {
    breakage: 'the store normalises values to NFC',
    store: broken((base) => ({
      create: (key, record: SessionRecord) =>
        base.create(key, { ...record, entries: mapValues(record.entries, (v) => v.normalize()) }),
      patch: (key, patch) =>
        base.patch(key, { ...patch, set: mapValues(patch.set, (v) => v.normalize()) }),
    })),
    scenarios: ['hostile Unicode'],
  },
  {
    breakage: 'the store copies entries through a plain object',
    store: broken((base) => ({
      load: (key) => {
        const record = base.load(key);
        return record && { ...record, entries: throughPlainObject(record.entries) };
      },
    })),
    scenarios: ['prototype-pollution keys'],
  },
  {
    breakage: 'size and depth limits are not enforced',
    options: (options) => ({ ...options, limits: { maxBytes: 10_000_000, maxDepth: 1_000 } }),
    scenarios: ['oversized, over-deep'],
  },
];

describe('the hostile lifecycle scenarios can fail', () => {
  for (const mutant of mutants) {
    describe(mutant.breakage, () => {
      for (const prefix of mutant.scenarios) {
        it(`"${prefix}..." fails`, async () => {
          const scenario = byName(prefix);
          const context = createScenarioContext(
            {
              name: mutant.breakage,
              createApp: (options) => webScenarioApp(mutant.options?.(options) ?? options),
            },
            {
              store: mutant.store ?? ((clock) => createMemoryStore({ clock: clock.clock })),
              usesClock: true,
            },
          );
          try {
            await expect(scenario.run(context)).rejects.toMatchObject({ name: 'AssertionError' });
          } finally {
            await context.close();
          }
        });
      }
    });
  }
});
