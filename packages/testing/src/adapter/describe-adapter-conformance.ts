import { afterEach, describe, it } from 'vitest';
import type { AdapterConformanceOptions, ScenarioStoreOptions } from './adapter-driver.js';
import {
  createScenarioContext,
  MEMORY_SCENARIO_STORE,
  type ScenarioContext,
} from './scenario-context.js';
import { type AdapterScenario, basicScenarios } from './scenarios-basics.js';
import { edgeScenarios } from './scenarios-edges.js';

/** Every adapter scenario, in order. */
export const adapterScenarios: readonly AdapterScenario[] = [...basicScenarios, ...edgeScenarios];

/**
 * Why `scenario` cannot run on `store`, or `undefined` when it can: a scenario that moves the
 * manual clock (`needsManualClock`) cannot run on a store that keeps real time.
 */
export function scenarioSkipReason(
  scenario: AdapterScenario,
  store: ScenarioStoreOptions,
): string | undefined {
  if (scenario.needsManualClock === true && !store.usesClock)
    return 'needs a manual clock: it moves time by minutes to expire the session, and the store under test keeps real time (usesClock: false)';
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
        await scenario.run(context);
      });
    }
  });
}
