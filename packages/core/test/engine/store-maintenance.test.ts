import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createSealedSessionManager,
  createSessionManager,
  isSessionError,
  type SessionError,
  type SessionStore,
} from '../../src/index.js';
import { createHarness } from '../support/harness.js';

const SECRET = 'store-maintenance-test-secret-0123456789abcdef';
const MINUTE = 60_000;

async function expectCode(promise: Promise<unknown>, code: string): Promise<SessionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSessionError(error, code as never), `expected SessionError ${code}`).toBe(true);
  return error as SessionError;
}

/** The memory store with the optional counting and purging methods (and their flags) removed. */
function withoutMaintenance(): SessionStore {
  const { deleteExpired: _d, countSessions: _c, ...memory } = createMemoryStore();
  return { ...memory, capabilities: { atomicRotate: true, deleteExpired: false } };
}

describe('manager.countSessions and manager.purgeExpired', () => {
  it('count the live sessions and purge the expired ones, through the wrapped store', async () => {
    const h = createHarness({ expiry: { idle: '10m' } });
    expect(await h.manager.countSessions()).toBe(0);
    for (let i = 0; i < 3; i++) {
      h.jar.cookies.clear();
      await h.request((s) => s.set('n', i));
    }
    expect(await h.manager.countSessions()).toBe(3);
    h.clock.advance(5 * MINUTE);
    h.jar.cookies.clear();
    await h.request((s) => s.set('n', 'late'));
    h.clock.advance(6 * MINUTE);
    // Three sessions idle past 10 minutes, one still live: counted without any purge first.
    expect(await h.manager.countSessions()).toBe(1);
    expect(await h.manager.purgeExpired()).toBe(3);
    expect(await h.manager.purgeExpired()).toBe(0);
    expect(h.memory.size).toBe(1);
    expect(await h.manager.countSessions()).toBe(1);
  });

  it('use a per-call store when the manager has none', async () => {
    const manager = createSessionManager({ secrets: [SECRET] });
    const store = createMemoryStore();
    expect(await manager.countSessions({ store })).toBe(0);
    expect(await manager.purgeExpired({ store })).toBe(0);
    await expectCode(manager.countSessions(), 'MISCONFIGURED');
  });

  it('reject with MISCONFIGURED, naming the capability, when the store lacks it', async () => {
    const manager = createSessionManager({ secrets: [SECRET], store: withoutMaintenance() });
    const count = await expectCode(manager.countSessions(), 'MISCONFIGURED');
    expect(count.message).toContain('capabilities.count');
    const purge = await expectCode(manager.purgeExpired(), 'MISCONFIGURED');
    expect(purge.message).toContain('capabilities.deleteExpired');
  });

  it('turn a store failure into STORE_UNAVAILABLE, and a nonsense answer into one too', async () => {
    const memory = createMemoryStore();
    const failing: SessionStore = {
      ...memory,
      countSessions: () => Promise.reject(new Error('connection refused')),
      deleteExpired: () => -1,
    };
    const manager = createSessionManager({ secrets: [SECRET], store: failing });
    await expectCode(manager.countSessions(), 'STORE_UNAVAILABLE');
    await expectCode(manager.purgeExpired(), 'STORE_UNAVAILABLE');
  });

  it('sealed sessions: nothing to count; purging needs the revocation store', async () => {
    const keys = [SECRET];
    const sealed = createSealedSessionManager({ keys });
    await expectCode(sealed.countSessions(), 'MISCONFIGURED');
    await expectCode(sealed.purgeExpired(), 'MISCONFIGURED');
    const revocations = createMemoryStore();
    const revocable = createSealedSessionManager({ keys, revocation: { store: revocations } });
    expect(await revocable.purgeExpired()).toBe(0);
  });
});
