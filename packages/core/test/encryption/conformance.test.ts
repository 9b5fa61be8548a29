// The published store conformance suite, run against the encryption decorator over the memory
// store: through the wrapper, every value round-trips byte for byte and every contract rule
// (including patches racing a rotation) still holds. @sessions/testing is imported from source:
// it depends on core, so core cannot depend on it as a package.

import { describeStoreConformance } from '../../../testing/src/index.js';
import { createMemoryStore, encryptStore, type SessionStore } from '../../src/index.js';

const KEYS = ['conformance-encryption-key-0123456789abcdef'];

describeStoreConformance({
  name: 'encryptStore(memory)',
  createStore: ({ clock }) => {
    const memory = createMemoryStore({ clock: clock.clock });
    return { store: encryptStore(memory, { keys: KEYS }), usesClock: true, cleanup: memory.close };
  },
});

// Without atomic rotation or the optional methods: the wrapper must not claim what the inner
// store lacks.
describeStoreConformance({
  name: 'encryptStore(memory, optional capabilities off)',
  createStore: ({ clock }) => {
    const {
      deleteExpired: _expired,
      countSessions: _count,
      listUserSessions: _list,
      destroyUserSessions: _destroy,
      close,
      ...memory
    } = createMemoryStore({ clock: clock.clock });
    const inner: SessionStore = {
      ...memory,
      capabilities: { atomicRotate: false, deleteExpired: false },
    };
    return { store: encryptStore(inner, { keys: KEYS }), usesClock: true, cleanup: close };
  },
});
