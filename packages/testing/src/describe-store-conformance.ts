import type { AnySessionCodec, Awaitable } from '@sessions/core';
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
   * clock when it supports one, and say so with `usesClock: true`. A store declaring
   * `capabilities.count` must start every test empty (a fresh instance, or a key prefix, schema or
   * table of the test's own): the count group checks absolute numbers.
   */
  readonly createStore: (context: { readonly clock: ManualClock }) => Awaitable<StoreUnderTest>;
  /**
   * The codec the engine checks and the codec values checks use, e.g. `msgpackCodec` from
   * `@sessions/codec-msgpack` (its name is added to the `describe`). A binary codec needs a store
   * with `capabilities.binaryValues`.
   * @defaultValue `jsonCodec`
   */
  readonly codec?: AnySessionCodec | undefined;
}

/**
 * Registers the whole conformance suite with vitest: one `describe` per group, one `it` per check.
 * Tests whose capability the store declares false (`atomicRotate`, `deleteExpired`) are skipped.
 * Every test makes its own random keys, so stores may share one server between tests and runs.
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  const codecName = options.codec === undefined ? '' : ` (${options.codec.name} codec)`;
  describe(`SessionStore conformance: ${options.name}${codecName}`, () => {
    let harness: ConformanceHarness | undefined;
    let cleanup: (() => Awaitable<void>) | undefined;

    beforeEach(async () => {
      const clock = new ManualClock();
      const subject = await options.createStore({ clock });
      harness = createConformanceHarness(subject, clock, options.codec);
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
            // The group's capability and the check's own, when it names another: both needed.
            for (const needs of [group.requires, check.requires]) {
              if (needs !== undefined && !harness.store.capabilities[needs]) {
                context.skip(`the store declares capabilities.${needs} = false`);
              }
            }
            await check.run(harness);
          });
        }
      });
    }
  });
}
