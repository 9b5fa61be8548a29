import { msgpackCodec } from '@sessions/codec-msgpack';
import { createMemoryStore, type SessionStore } from '@sessions/core';
import { describeStoreConformance } from '../src/index.js';

describeStoreConformance({
  name: 'memory (manual clock)',
  createStore: ({ clock }) => {
    const store = createMemoryStore({ clock: clock.clock });
    return { store, usesClock: true, cleanup: () => store.close() };
  },
});

// The real-time path the suite takes for Redis or Postgres, proven on the memory store. No
// `sweepIntervalMs` here: a background sweep would remove the deleteExpired group's records
// before its explicit call could count them.
describeStoreConformance({
  name: 'memory (real clock)',
  createStore: () => {
    const store = createMemoryStore();
    return { store, usesClock: false, cleanup: () => store.close() };
  },
});

// A store declaring no optional capability: the deleteExpired and count groups and the rotate
// race skip.
describeStoreConformance({
  name: 'memory (optional capabilities off)',
  createStore: ({ clock }) => {
    const {
      deleteExpired: _,
      countSessions: _count,
      close,
      ...memory
    } = createMemoryStore({ clock: clock.clock });
    const store: SessionStore = {
      ...memory,
      capabilities: { atomicRotate: false, deleteExpired: false },
    };
    return { store, usesClock: true, cleanup: close };
  },
});

// The MessagePack codec: binary values through the engine checks and the codec values group.
describeStoreConformance({
  name: 'memory (manual clock)',
  codec: msgpackCodec,
  createStore: ({ clock }) => {
    const store = createMemoryStore({ clock: clock.clock });
    return { store, usesClock: true, cleanup: () => store.close() };
  },
});
