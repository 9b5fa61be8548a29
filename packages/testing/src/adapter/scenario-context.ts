import {
  createMemoryStore,
  observeStore,
  type SessionAdapterOptions,
  type SessionManagerOptions,
  type StoreOperation,
} from '@sessions/core';
import { ManualClock } from '../manual-clock.js';
import type { AdapterConformanceOptions, AdapterDriver } from './adapter-driver.js';
import type { ScenarioData } from './scenario-app.js';
import { ScenarioClient } from './scenario-client.js';

/** The secret the scenario apps sign with. */
export const SCENARIO_SECRET = 'adapter-scenarios-secret-0123456789abcdef';

/** One scenario's world: a clock, a memory store whose calls are recorded, and the app. */
export interface ScenarioContext {
  readonly clock: ManualClock;
  /** Store calls since the last {@link ScenarioContext.resetCalls}. */
  readonly calls: StoreOperation[];
  resetCalls(): void;
  /** The app built with the default scenario options (created on first use). */
  app(): Promise<AdapterDriver>;
  /** A new app with these manager options on top of the defaults (same store and clock). */
  appWith(overrides: Partial<SessionManagerOptions>): Promise<AdapterDriver>;
  /** A new cookie-keeping client of {@link ScenarioContext.app}. */
  client(): Promise<ScenarioClient>;
  /** Closes every app this context built. */
  close(): Promise<void>;
}

/** Builds a fresh {@link ScenarioContext} for one test. */
export function createScenarioContext(options: AdapterConformanceOptions): ScenarioContext {
  const clock = new ManualClock();
  const calls: StoreOperation[] = [];
  const store = observeStore(createMemoryStore({ clock: clock.clock }), (op) => calls.push(op));
  const drivers: AdapterDriver[] = [];
  let main: Promise<AdapterDriver> | undefined;
  const build = async (overrides: Partial<SessionManagerOptions>): Promise<AdapterDriver> => {
    const adapterOptions: SessionAdapterOptions<ScenarioData> = {
      store,
      secrets: [SCENARIO_SECRET],
      clock: clock.clock,
      ...overrides,
    };
    const driver = await options.createApp(adapterOptions);
    drivers.push(driver);
    return driver;
  };
  const context: ScenarioContext = {
    clock,
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    app: () => {
      main ??= build({});
      return main;
    },
    appWith: build,
    client: async () => new ScenarioClient(await context.app()),
    close: async () => {
      for (const driver of drivers.splice(0)) await driver.close?.();
    },
  };
  return context;
}
