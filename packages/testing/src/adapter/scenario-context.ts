import {
  type AnySessionCodec,
  type Clock,
  createMemoryStore,
  jsonCodec,
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
  /** The codec the apps are built with (`AdapterConformanceOptions.codec`, default `jsonCodec`). */
  readonly codec: AnySessionCodec;
  /** Store calls since the last {@link ScenarioContext.resetCalls}. */
  readonly calls: StoreOperation[];
  /**
   * The store keys those calls were given, in order (`rotate` adds its source and target keys),
   * since the last {@link ScenarioContext.resetCalls}: the bytes a request made reach the store.
   */
  readonly storeKeys: string[];
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

/** The contract methods whose leading arguments are store keys, and how many. */
const KEYED_METHODS: Readonly<Record<string, number>> = {
  load: 1,
  create: 1,
  patch: 1,
  patchIf: 1,
  touch: 1,
  destroy: 1,
  rotate: 2,
};

/** `store`, with the keys of every keyed call appended to `into` (everything else forwarded). */
function recordKeys(store: SessionStore, into: string[]): SessionStore {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const keys = typeof property === 'string' ? KEYED_METHODS[property] : undefined;
      return (...args: unknown[]) => {
        for (const key of args.slice(0, keys ?? 0)) into.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
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
  const storeKeys: string[] = [];
  const observed = observeStore(recordKeys(store.store(clock), storeKeys), (op) => calls.push(op));
  const drivers: AdapterDriver[] = [];
  let main: Promise<AdapterDriver> | undefined;
  const build = async (overrides: Partial<SessionManagerOptions>): Promise<AdapterDriver> => {
    const adapterOptions: SessionAdapterOptions<ScenarioData> = {
      store: observed,
      secrets: [SCENARIO_SECRET],
      clock: clock.clock,
      ...(options.codec === undefined ? {} : { codec: options.codec }),
      ...overrides,
    };
    const driver = await options.createApp(adapterOptions);
    drivers.push(driver);
    return driver;
  };
  const context: ScenarioContext = {
    clock,
    usesClock: store.usesClock,
    codec: options.codec ?? jsonCodec,
    store: observed,
    calls,
    storeKeys,
    resetCalls: () => {
      calls.length = 0;
      storeKeys.length = 0;
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
