import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  hashSessionId,
  isSessionError,
  type SessionErrorCode,
  type SessionStore,
} from '../../src/index.js';
import { createHarness, TestClock } from '../support/harness.js';

type Counter = { count: number; note: string };

async function expectCode(promise: Promise<unknown>, code: SessionErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSessionError(error, code), `expected SessionError ${code}, got ${String(error)}`).toBe(
    true,
  );
}

const increment = (n: number | undefined) => (n ?? 0) + 1;

describe('Session.update', () => {
  it('on a stored session: one conditional write, visible to later reads, nothing left for commit', async () => {
    const h = createHarness<Counter>();
    await h.request((s) => s.set('count', 1));
    const { value, calls, result } = await h.request(async (s) => {
      const next = await s.update('count', increment);
      return { next, read: await s.get('count'), modified: s.isModified };
    });
    expect(value).toEqual({ next: 2, read: 2, modified: false });
    expect(calls).toEqual(['load', 'patchIf']);
    expect(result.outcome).toBe('unchanged');
    expect((await h.request((s) => s.get('count'))).value).toBe(2);
  });

  it('retries on a conflicting write and never loses an update', async () => {
    const h = createHarness<Counter>();
    await h.request((s) => s.set('count', 0));
    const racing = h.open();
    await racing.get('count');
    // Another request changes the key after `racing` loaded it.
    await h.request((s) => s.update('count', increment));
    expect(await racing.update('count', increment)).toBe(2);
    await racing.commit();
    expect((await h.request((s) => s.get('count'))).value).toBe(2);
  });

  it('gives up with CONFLICT after the retries, having written nothing', async () => {
    const h = createHarness<Counter>();
    await h.request((s) => s.set('count', 0));
    const storeKey = await hashSessionId((h.jar.cookies.get('sid') ?? '').split('.')[0] ?? '');
    const session = h.open();
    await session.get('count');
    let calls = 0;
    await expectCode(
      session.update(
        'count',
        (n) => {
          calls++;
          // Every attempt, someone else gets there first.
          h.memory.patch(storeKey, {
            set: new Map([['count', { value: String(100 + calls) }]]),
            remove: [],
            clear: false,
            expiresAt: h.clock.time + 60_000,
          });
          return (n ?? 0) + 1;
        },
        { retries: 2 },
      ),
      'CONFLICT',
    );
    expect(calls).toBe(3);
  });

  it('on a new session: a plain set written at commit', async () => {
    const h = createHarness<Counter>();
    const { value, calls } = await h.request((s) => s.update('count', increment));
    expect(value).toBe(1);
    expect(calls).toEqual(['create']);
  });

  it('refuses to mix with a pending change of the same key, or a clear', async () => {
    const h = createHarness<Counter>();
    await h.request((s) => s.set('count', 1));
    const session = h.open();
    await session.set('count', 5);
    await expectCode(session.update('count', increment), 'INVALID_STATE');
    const cleared = h.open();
    await cleared.clear();
    await expectCode(cleared.update('count', increment), 'INVALID_STATE');
    await expectCode(h.open().update('count', increment, { retries: -1 }), 'INVALID_VALUE');
    await expectCode(h.open().update('count', increment, { retries: 101 }), 'INVALID_VALUE');
  });

  it('a session destroyed meanwhile: CONFLICT, nothing resurrected', async () => {
    const h = createHarness<Counter>();
    await h.request((s) => s.set('count', 1));
    const session = h.open();
    await session.get('count');
    await h.request((s) => s.destroy());
    h.jar.cookies.clear();
    await expectCode(session.update('count', increment), 'CONFLICT');
    expect(h.memory.size).toBe(0);
  });

  it('checks limits and the value domain like set()', async () => {
    const h = createHarness<Counter>({ limits: { maxBytes: 64 } });
    await h.request((s) => s.set('note', 'x'));
    await expectCode(
      h.open().update('note', () => 'y'.repeat(100)),
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('needs a store with conditional patch once the session is stored', async () => {
    const memory = createMemoryStore({ clock: new TestClock().now });
    const { patchIf: _omitted, ...rest } = memory;
    const plain: SessionStore = {
      ...rest,
      name: 'plain',
      capabilities: { atomicRotate: true, deleteExpired: false },
    };
    const h = createHarness<Counter>({ store: plain });
    await h.request((s) => s.set('count', 1));
    await expectCode(h.open().update('count', increment), 'MISCONFIGURED');
  });
});
