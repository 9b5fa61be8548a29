import type { SessionStore } from '@sessions/core';
import { afterEach, describe, it } from 'vitest';
import type { AdapterConformanceOptions, ScenarioStoreOptions } from './adapter-driver.js';
import {
  createScenarioContext,
  MEMORY_SCENARIO_STORE,
  type ScenarioContext,
} from './scenario-context.js';
import { type AdapterScenario, basicScenarios } from './scenarios-basics.js';
import { clientBindingScenarios } from './scenarios-client-binding.js';
import { edgeScenarios } from './scenarios-edges.js';
import { hostileInputScenarios } from './scenarios-hostile-input.js';
import { hostileLifecycleScenarios } from './scenarios-hostile-lifecycle.js';
import { storeMaintenanceScenarios } from './scenarios-store-maintenance.js';
import { userSessionScenarios } from './scenarios-user-sessions.js';

/** Every adapter scenario, in order. */
export const adapterScenarios: readonly AdapterScenario[] = [
  ...basicScenarios,
  ...edgeScenarios,
  ...userSessionScenarios,
  ...hostileInputScenarios,
  ...hostileLifecycleScenarios,
  ...clientBindingScenarios,
  ...storeMaintenanceScenarios,
];

/**
 * Why `scenario` cannot run on `store`, or `undefined` when it can: a scenario that moves the
 * manual clock (`needsManualClock`) cannot run on a store that keeps real time, and one that lists
 * or revokes a user's sessions (`needsUserIndex`) cannot run on a store without a user index, nor
 * one using `session.update` (`needsConditionalPatch`) on a store without `patchIf`, nor one
 * counting or purging sessions (`needsCount`, `needsPurge`) on a store that cannot.
 * `built` is the store the options built, when known: only it tells whether there is an index.
 */
export function scenarioSkipReason(
  scenario: AdapterScenario,
  store: ScenarioStoreOptions,
  built?: SessionStore,
): string | undefined {
  if (scenario.needsManualClock === true && !store.usesClock)
    return 'needs a manual clock: it moves time by minutes to expire the session, and the store under test keeps real time (usesClock: false)';
  if (
    scenario.needsUserIndex === true &&
    built !== undefined &&
    built.capabilities.userIndex !== true
  )
    return `needs a user index: it lists and revokes a user's sessions, and the store under test ("${built.name}") has none (capabilities.userIndex)`;
  if (
    scenario.needsConditionalPatch === true &&
    built !== undefined &&
    built.capabilities.conditionalPatch !== true
  )
    return `needs a conditional patch: it uses session.update(), and the store under test ("${built.name}") has none (capabilities.conditionalPatch)`;
  if (scenario.needsCount === true && built !== undefined && built.capabilities.count === undefined)
    return `needs counting: it counts the store's sessions, and the store under test ("${built.name}") cannot (capabilities.count)`;
  if (scenario.needsPurge === true && built !== undefined && !built.capabilities.deleteExpired)
    return `needs purging: it purges expired sessions, and the store under test ("${built.name}") cannot (capabilities.deleteExpired)`;
  return undefined;
}

/**
 * Registers the adapter scenario suite with vitest: the same HTTP-level request sequences against
 * an app built on one framework, so every adapter is held to identical behaviour. An adapter's test
 * file provides `createApp` (see {@link AdapterConformanceOptions}) and gets every scenario, on the
 * memory store or on `options.store`. A scenario the store cannot support is reported as skipped,
 * with the reason ({@link scenarioSkipReason}).
 */
export function describeAdapterConformance(options: AdapterConformanceOptions): void {
  const store = options.store ?? MEMORY_SCENARIO_STORE;
  describe(`adapter scenarios: ${options.name}`, () => {
    let context: ScenarioContext | undefined;
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    for (const scenario of adapterScenarios) {
      it(scenario.name, async (test) => {
        const reason = scenarioSkipReason(scenario, store);
        if (reason !== undefined) test.skip(reason);
        context = createScenarioContext(options, store);
        const storeReason = scenarioSkipReason(scenario, store, context.store);
        if (storeReason !== undefined) test.skip(storeReason);
        await scenario.run(context);
      });
    }
  });
}
