import {
  createMemoryStore,
  type MemoryStore,
  observeStore,
  type SessionStore,
  type StoreOperation,
} from '@sessions/core';
import { ManualClock } from '@sessions/testing';
import {
  createLayeredStore,
  type LayeredStore,
  type LayeredStoreEvent,
  type LayeredStoreOptions,
} from '../../src/index.js';
import { type ControlledStore, controlledStore } from './controlled-store.js';

/** Calls one layer received, by operation name, in order. */
export interface CallLog {
  readonly calls: StoreOperation[];
  /** Returns the calls so far and starts a new log. */
  take(): StoreOperation[];
}

/** Wraps `store` so every call is logged (core's `observeStore`). */
export function logged(store: SessionStore): { store: SessionStore; log: CallLog } {
  const calls: StoreOperation[] = [];
  return {
    store: observeStore(store, (operation) => calls.push(operation)),
    log: { calls, take: () => calls.splice(0) },
  };
}

/** A layered store over two controllable memory stores sharing one manual clock. */
export interface MemoryLayers {
  readonly clock: ManualClock;
  /** The raw stores, to look behind the layered store's back. */
  readonly hotMemory: MemoryStore;
  readonly coldMemory: MemoryStore;
  /** Fault injection on each layer. */
  readonly hot: ControlledStore;
  readonly cold: ControlledStore;
  readonly hotLog: CallLog;
  readonly coldLog: CallLog;
  readonly events: LayeredStoreEvent[];
  readonly store: LayeredStore;
  /** Another layered store (another process) over the same two stores. */
  another(options?: Partial<LayeredStoreOptions>): LayeredStore;
}

/** Builds {@link MemoryLayers}; `options` go to the layered store. */
export function memoryLayers(options: Partial<LayeredStoreOptions> = {}): MemoryLayers {
  const clock = new ManualClock();
  const hotMemory = createMemoryStore({ clock: clock.clock });
  const coldMemory = createMemoryStore({ clock: clock.clock });
  const hot = controlledStore(hotMemory);
  const cold = controlledStore(coldMemory);
  const hotLogged = logged(hot);
  const coldLogged = logged(cold);
  const events: LayeredStoreEvent[] = [];
  const store = createLayeredStore({
    hot: hotLogged.store,
    cold: coldLogged.store,
    clock: clock.clock,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return {
    clock,
    hotMemory,
    coldMemory,
    hot,
    cold,
    hotLog: hotLogged.log,
    coldLog: coldLogged.log,
    events,
    store,
    another: (more = {}) =>
      createLayeredStore({ hot, cold, clock: clock.clock, ...options, ...more }),
  };
}
