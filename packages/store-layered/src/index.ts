export { createLayeredStore } from './create-layered-store.js';
export type { LayeredStore } from './layered-store.js';
export type {
  HotOperation,
  LayeredStoreEvent,
  LayeredStoreEventListener,
} from './layered-store-event.js';
export type { HotTtlChoice, LayeredStoreOptions } from './layered-store-options.js';
