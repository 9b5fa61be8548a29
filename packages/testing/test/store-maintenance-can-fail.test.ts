/**
 * Proves the admin count and purge scenarios can fail: each passes on the intact memory store (see
 * web-adapter.scenarios.test.ts) and fails with an assertion error on a memory store whose
 * `countSessions` or `deleteExpired` is broken in one specific way.
 */
import { createMemoryStore, type MemoryStore, type SessionStore } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { storeMaintenanceScenarios } from '../src/adapter/scenarios-store-maintenance.js';
import { createScenarioContext, type ManualClock } from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

interface Mutant {
  readonly breakage: string;
  readonly store: (clock: ManualClock) => SessionStore;
  /** Name prefixes of the scenarios that must catch it. */
  readonly scenarios: readonly string[];
}

/**
 * A memory store on `clock` with some methods replaced; `base` is the intact store underneath and
 * `keys` every key a record was ever created or rotated under.
 */
function broken(
  override: (base: MemoryStore, keys: Set<string>) => Partial<SessionStore>,
): (clock: ManualClock) => SessionStore {
  return (clock) => {
    const base = createMemoryStore({ clock: clock.clock });
    const keys = new Set<string>();
    return {
      ...base,
      create: (key, record) => {
        keys.add(key);
        return base.create(key, record);
      },
      rotate: (from, to, patch) => {
        keys.add(to);
        return base.rotate(from, to, patch);
      },
      ...override(base, keys),
    };
  };
}

const mutants: readonly Mutant[] = [
  {
    breakage: 'countSessions counts every record ever created, destroyed or not',
    store: broken((_base, keys) => ({ countSessions: () => keys.size })),
    scenarios: ['admin count:', 'admin purge:'],
  },
  {
    breakage: 'countSessions counts expired records still held',
    store: broken((base) => ({ countSessions: () => base.size })),
    scenarios: ['admin purge:'],
  },
  {
    breakage: 'deleteExpired removes nothing',
    store: broken(() => ({ deleteExpired: () => 0 })),
    scenarios: ['admin purge:'],
  },
  {
    breakage: 'deleteExpired removes live records too',
    store: broken((base, keys) => ({
      deleteExpired: () => {
        const removed = base.deleteExpired();
        for (const key of keys) base.destroy(key);
        return removed;
      },
    })),
    scenarios: ['admin purge:'],
  },
];

const byName = (prefix: string) => {
  const found = storeMaintenanceScenarios.filter((scenario) => scenario.name.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0] as (typeof storeMaintenanceScenarios)[number];
};

describe('the admin count and purge scenarios can fail', () => {
  for (const mutant of mutants) {
    describe(mutant.breakage, () => {
      for (const prefix of mutant.scenarios) {
        it(`"${prefix}..." fails`, async () => {
          const scenario = byName(prefix);
          const context = createScenarioContext(
            { name: mutant.breakage, createApp: webScenarioApp },
            { store: mutant.store, usesClock: true },
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
