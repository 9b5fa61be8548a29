import { afterEach, describe, it } from 'vitest';
import type { AdapterConformanceOptions } from './adapter-driver.js';
import { createScenarioContext, type ScenarioContext } from './scenario-context.js';
import { type AdapterScenario, basicScenarios } from './scenarios-basics.js';
import { edgeScenarios } from './scenarios-edges.js';

/** Every adapter scenario, in order. */
export const adapterScenarios: readonly AdapterScenario[] = [...basicScenarios, ...edgeScenarios];

/**
 * Registers the adapter scenario suite with vitest: the same HTTP-level request sequences against
 * an app built on one framework, so every adapter is held to identical behaviour. An adapter's test
 * file provides `createApp` (see {@link AdapterConformanceOptions}) and gets every scenario.
 */
export function describeAdapterConformance(options: AdapterConformanceOptions): void {
  describe(`adapter scenarios: ${options.name}`, () => {
    let context: ScenarioContext | undefined;
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    for (const scenario of adapterScenarios) {
      it(scenario.name, async () => {
        context = createScenarioContext(options);
        await scenario.run(context);
      });
    }
  });
}
