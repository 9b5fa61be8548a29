import { createMemoryStore } from '@sessions/core';
import type { RunnerTask, RunnerTestSuite } from 'vitest';
import { afterAll, describe, expect } from 'vitest';
import {
  adapterScenarios,
  describeAdapterConformance,
  type ScenarioStoreOptions,
  scenarioSkipReason,
} from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

/**
 * A store that keeps real time, as Redis and Postgres do: the memory store on its default clock
 * (it ignores the scenario's clock). The engine then runs on real time too.
 */
const realClockStore: ScenarioStoreOptions = { store: () => createMemoryStore(), usesClock: false };

describe('a store that keeps real time', () => {
  describeAdapterConformance({
    name: 'web (withSession), real-clock memory store',
    createApp: webScenarioApp,
    store: realClockStore,
  });

  // Runs after the scenarios: the ones that move the clock were skipped with their reason (in
  // Vitest's report, never silently), and every other scenario ran and passed on real time.
  // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a hook's first parameter as fixtures and requires a destructuring pattern there.
  afterAll(({}, suite) => {
    const tests = (suite as RunnerTestSuite).tasks.flatMap((task: RunnerTask) =>
      task.type === 'suite' ? task.tasks : [task],
    );
    const outcome = tests.map((task) => ({
      name: task.name,
      state: task.result?.state,
      note: (task.result as { note?: string } | undefined)?.note,
    }));
    expect(outcome).toEqual(
      adapterScenarios.map((scenario) => {
        const note = scenarioSkipReason(scenario, realClockStore);
        return note === undefined
          ? { name: scenario.name, state: 'pass', note: undefined }
          : { name: scenario.name, state: 'skip', note };
      }),
    );
  });
});
