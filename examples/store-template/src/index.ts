export type { KvBackend, KvCheck, KvEntry, KvMutation } from './kv-backend.js';
export type { KvStoreOptions } from './kv-store.js';
export { createKvStore } from './kv-store.js';
export type { MemoryKvOptions } from './memory-kv.js';
export { createMemoryKv } from './memory-kv.js';
