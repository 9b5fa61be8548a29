import type { Awaitable } from '@sessions/core';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { conformanceGroups } from './conformance-groups.js';
import {
  type ConformanceHarness,
  createConformanceHarness,
  type StoreUnderTest,
} from './harness.js';
import { ManualClock } from './manual-clock.js';

/** Options for {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in the outer `describe`, e.g. `'redis'`. */
  readonly name: string;
  /**
   * Called before every test: return a store (fresh, or a new client on a shared server) and,
   * optionally, a `cleanup` run after the test. Pass `context.clock.clock` to the store as its
   * clock when it supports one, and say so with `usesClock: true`.
   */
  readonly createStore: (context: { readonly clock: ManualClock }) => Awaitable<StoreUnderTest>;
}

/**
 * Registers the whole conformance suite with vitest: one `describe` per group, one `it` per check.
 * Tests whose capability the store declares false (`atomicRotate`, `deleteExpired`) are skipped.
 * Every test makes its own random keys, so stores may share one server between tests and runs.
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  describe(`SessionStore conformance: ${options.name}`, () => {
    let harness: ConformanceHarness | undefined;
    let cleanup: (() => Awaitable<void>) | undefined;

    beforeEach(async () => {
      const clock = new ManualClock();
      const subject = await options.createStore({ clock });
      harness = createConformanceHarness(subject, clock);
      cleanup = subject.cleanup;
    });

    afterEach(async () => {
      const done = cleanup;
      harness = undefined;
      cleanup = undefined;
      await done?.();
    });

    for (const group of conformanceGroups) {
      describe(group.name, () => {
        for (const check of group.checks) {
          it(check.name, async (context) => {
            if (harness === undefined) throw new Error('createStore did not run');
            const needs = check.requires ?? group.requires;
            if (needs !== undefined && !harness.store.capabilities[needs]) {
              context.skip(`the store declares capabilities.${needs} = false`);
            }
            await check.run(harness);
          });
        }
      });
    }
  });
}
