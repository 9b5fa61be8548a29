import { createMemoryStore, createSessionManager, type SessionStore } from '@sessions/core';
import type { RunnerTask, RunnerTestSuite } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adapterScenarios,
  describeAdapterConformance,
  handleScenario,
  type ScenarioData,
  type ScenarioStoreOptions,
  scenarioSkipReason,
} from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

/** The memory store without its user index, as a store that has none would be. */
function withoutUserIndex(clock: () => number): SessionStore {
  const memory = createMemoryStore({ clock });
  return {
    name: 'no-index',
    capabilities: { atomicRotate: true, deleteExpired: false },
    load: (key) => memory.load(key),
    create: (key, record) => memory.create(key, record),
    patch: (key, patch) => memory.patch(key, patch),
    touch: (key, at) => memory.touch(key, at),
    rotate: (from, to, patch) => memory.rotate(from, to, patch),
    destroy: (key) => memory.destroy(key),
  };
}

const noIndexStore: ScenarioStoreOptions = {
  store: (clock) => withoutUserIndex(clock.clock),
  usesClock: true,
};

describe('a store without a user index', () => {
  describeAdapterConformance({
    name: 'web (withSession), memory store without its user index',
    createApp: webScenarioApp,
    store: noIndexStore,
  });

  // Runs after the scenarios: the ones on a user's sessions (and those counting or purging, which
  // this store cannot do either) were skipped with their reason, and every other one passed.
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
    const built = withoutUserIndex(Date.now);
    expect(outcome).toEqual(
      adapterScenarios.map((scenario) => {
        const note = scenarioSkipReason(scenario, noIndexStore, built);
        return note === undefined
          ? { name: scenario.name, state: 'pass', note: undefined }
          : { name: scenario.name, state: 'skip', note };
      }),
    );
    expect(outcome.filter((test) => test.state === 'skip').length).toBe(
      adapterScenarios.filter(
        (scenario) =>
          scenario.needsUserIndex === true ||
          scenario.needsConditionalPatch === true ||
          scenario.needsCount === true ||
          scenario.needsPurge === true,
      ).length,
    );
  });
});

describe('scenarioSkipReason and user sessions', () => {
  const memory = { store: () => createMemoryStore(), usesClock: true };

  it('skips the user-session scenarios only when the built store has no index, naming it', () => {
    const needing = adapterScenarios.filter((scenario) => scenario.needsUserIndex === true);
    expect(needing.length).toBeGreaterThanOrEqual(4);
    for (const scenario of needing) {
      expect(scenarioSkipReason(scenario, memory)).toBeUndefined();
      expect(scenarioSkipReason(scenario, memory, createMemoryStore())).toBeUndefined();
      expect(scenarioSkipReason(scenario, memory, withoutUserIndex(Date.now))).toMatch(
        /user index.*"no-index".*capabilities\.userIndex/,
      );
    }
  });

  it('answers the user-session and admin routes 501 when the app was not given the manager', async () => {
    const manager = createSessionManager<ScenarioData>({
      store: createMemoryStore(),
      secrets: ['s'.repeat(32)],
    });
    const session = manager.session(new Request('http://localhost/'));
    await session.signIn('ada');
    for (const [method, path] of [
      ['GET', '/user-sessions'],
      ['DELETE', '/user-session/AAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/revoke-others'],
      ['GET', '/admin/sessions/count'],
      ['POST', '/admin/sessions/purge'],
    ] as const) {
      const reply = await handleScenario(session, { method, path, body: '' });
      expect(reply).toMatchObject({ kind: 'json', status: 501 });
      expect(JSON.stringify(reply)).toContain('handleScenario(session, request, { manager })');
    }
  });

  it('answers the admin routes with MISCONFIGURED when the store cannot count or purge', async () => {
    const manager = createSessionManager<ScenarioData>({
      store: withoutUserIndex(Date.now),
      secrets: ['s'.repeat(32)],
    });
    const session = manager.session(new Request('http://localhost/'));
    for (const [method, path] of [
      ['GET', '/admin/sessions/count'],
      ['POST', '/admin/sessions/purge'],
    ] as const) {
      const reply = await handleScenario(session, { method, path, body: '' }, { manager });
      expect(reply).toEqual({ kind: 'json', status: 500, body: { error: 'MISCONFIGURED' } });
    }
    expect(session.isNew, 'the admin routes never open the session').toBe(true);
  });
});
