import { describeStoreConformance } from '@sessions/testing';
import { createKvStore, createMemoryKv } from '../src/index.js';

// The whole contract, in a few lines. The backend is in-process, so it takes the suite's manual
// clock and every expiry test is instant; a store over a remote service passes `usesClock: false`
// and a unique `prefix` per run instead, and deletes its keys in `cleanup`.
describeStoreConformance({
  name: 'kv (template)',
  createStore: ({ clock }) => ({
    store: createKvStore(createMemoryKv({ clock: clock.clock }), { clock: clock.clock }),
    usesClock: true,
  }),
});
