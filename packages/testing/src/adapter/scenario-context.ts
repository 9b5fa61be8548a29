import {
  type Clock,
  createMemoryStore,
  observeStore,
  type SessionAdapterOptions,
  type SessionManagerOptions,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import { ManualClock } from '../manual-clock.js';
import type {
  AdapterConformanceOptions,
  AdapterDriver,
  ScenarioStoreOptions,
} from './adapter-driver.js';
import type { ScenarioData } from './scenario-app.js';
import { ScenarioClient } from './scenario-client.js';

/** The secret the scenario apps sign with. */
export const SCENARIO_SECRET = 'adapter-scenarios-secret-0123456789abcdef';

/** The default scenario store: a memory store on the scenario's manual clock. */
export const MEMORY_SCENARIO_STORE: ScenarioStoreOptions = {
  store: (clock) => createMemoryStore({ clock: clock.clock }),
  usesClock: true,
};

/** One scenario's world: a clock, a store whose calls are recorded, and the app. */
export interface ScenarioContext {
  /**
   * The clock the engine (and a store with `usesClock: true`) reads. With a real-clock store it
   * reads the real time and throws when moved: such a scenario must declare `needsManualClock`.
   */
  readonly clock: ManualClock;
  /** Whether the store under test reads {@link ScenarioContext.clock} (see `ScenarioStoreOptions`). */
  readonly usesClock: boolean;
  /** The store the apps are given: the store under test, its calls recorded in `calls`. */
  readonly store: SessionStore;
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

/**
 * The clock of a scenario whose store keeps real time: it reads `Date.now()`, and moving it
 * throws, since neither the store nor the engine would follow (the scenario that tried should
 * declare `needsManualClock`, and is then skipped on such a store).
 */
class RealTimeClock extends ManualClock {
  override readonly clock: Clock = () => Date.now();

  override now(): number {
    return Date.now();
  }

  override advance(): number {
    return RealTimeClock.#refuse();
  }

  override set(): number {
    return RealTimeClock.#refuse();
  }

  static #refuse(): never {
    throw new Error(
      'this scenario moves the clock, but the store under test keeps real time (usesClock: false): mark the scenario needsManualClock',
    );
  }
}

/**
 * Builds a fresh {@link ScenarioContext} for one test, on `store` (default: the options' `store`,
 * else {@link MEMORY_SCENARIO_STORE}).
 */
export function createScenarioContext(
  options: AdapterConformanceOptions,
  store: ScenarioStoreOptions = options.store ?? MEMORY_SCENARIO_STORE,
): ScenarioContext {
  const clock = store.usesClock ? new ManualClock() : new RealTimeClock();
  const calls: StoreOperation[] = [];
  const observed = observeStore(store.store(clock), (op) => calls.push(op));
  const drivers: AdapterDriver[] = [];
  let main: Promise<AdapterDriver> | undefined;
  const build = async (overrides: Partial<SessionManagerOptions>): Promise<AdapterDriver> => {
    const adapterOptions: SessionAdapterOptions<ScenarioData> = {
      store: observed,
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
    usesClock: store.usesClock,
    store: observed,
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
