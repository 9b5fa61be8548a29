import { describe, expect, it } from 'vitest';
import {
  closeIfUnused,
  createMemoryStore,
  createSessionManager,
  managerFromOptions,
  nodeHeaderSource,
  observeStore,
  SessionError,
  shouldCommit,
} from '../../src/index.js';
import { SECRET } from '../support/harness.js';

describe('nodeHeaderSource', () => {
  it('reads Node header objects case-insensitively, joining arrays', () => {
    const source = nodeHeaderSource({ cookie: 'a=1; sid=x', 'x-list': ['a', 'b'] });
    expect(source.get('Cookie')).toBe('a=1; sid=x');
    expect(source.get('x-list')).toBe('a, b');
    expect(source.get('missing')).toBeNull();
  });

  it('reads every line of a header Node keeps only the first of, from rawHeaders', () => {
    // What Node makes of two Authorization lines: the first in `headers`, both in `rawHeaders`.
    const headers = { authorization: 'Bearer a', cookie: 'x=1; y=2' };
    const rawHeaders = ['Authorization', 'Bearer a', 'cookie', 'x=1', 'AUTHORIZATION', 'Bearer b'];
    const source = nodeHeaderSource(headers, rawHeaders);
    expect(source.get('Authorization')).toBe('Bearer a, Bearer b');
    expect(source.get('cookie')).toBe('x=1; y=2');
    expect(source.get('user-agent')).toBeNull();
    expect(nodeHeaderSource(headers).get('authorization')).toBe('Bearer a');
  });

  it('fails closed on two bearer tokens in two Authorization lines of a Node request', async () => {
    const manager = createSessionManager({
      store: createMemoryStore(),
      secrets: [SECRET],
      transport: { type: 'header' },
    });
    const tokens: string[] = [];
    for (const n of [1, 2]) {
      const session = manager.session(new Headers());
      await session.set('n', n);
      const [[, token] = ['', '']] = (await session.commit()).headers;
      tokens.push(token);
    }
    const [a, b] = tokens;
    const session = manager.session(
      nodeHeaderSource({ authorization: `Bearer ${a}` }, [
        'authorization',
        `Bearer ${a}`,
        'authorization',
        `Bearer ${b}`,
      ]),
    );
    await expect(session.get('n')).rejects.toMatchObject({ code: 'AMBIGUOUS_SESSION' });
  });

  it('opens sessions from Node headers like from a Request', async () => {
    const manager = createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const [[, cookie] = ['', '']] = (await first.commit()).headers;
    const second = manager.session(
      nodeHeaderSource({ cookie: `other=1; ${cookie.split(';')[0]}` }),
    );
    expect(await second.get('n')).toBe(1);
  });
});

describe('observeStore', () => {
  it('reports each call before forwarding it, and forwards results and capabilities', async () => {
    const seen: string[] = [];
    const inner = createMemoryStore();
    const store = observeStore(inner, (op) => seen.push(op));
    expect(store.capabilities).toBe(inner.capabilities);
    const manager = createSessionManager({ store, secrets: [SECRET] });
    const session = manager.session(new Headers());
    await session.set('a', 1);
    await session.commit();
    expect(seen).toEqual(['create']);
    expect(await store.deleteExpired?.()).toBe(0);
    expect(seen).toEqual(['create', 'deleteExpired']);
  });

  it('an observer that throws does not fail the call', async () => {
    const store = observeStore(createMemoryStore(), () => {
      throw new Error('metrics down');
    });
    expect(await store.load('x'.repeat(43))).toBeUndefined();
  });
});

describe('errors for frameworks', () => {
  it('carry status and statusCode, and render a Response revealing only the code', async () => {
    const error = new SessionError('STORE_UNAVAILABLE', 'redis at 10.0.0.1 refused');
    expect(error.status).toBe(503);
    expect(error.statusCode).toBe(503);
    const response = error.getResponse();
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('STORE_UNAVAILABLE\n');
  });

  it('errorStatus remaps the status of errors a session throws', async () => {
    const failing = observeStore(createMemoryStore(), (op) => {
      if (op === 'create') throw new Error('ignored: observers cannot fail calls');
    });
    const store = { ...failing, create: () => Promise.reject(new Error('down')) };
    const manager = createSessionManager({
      store,
      secrets: [SECRET],
      errorStatus: { STORE_UNAVAILABLE: 500 },
    });
    const session = manager.session(new Headers());
    await session.set('a', 1);
    await expect(session.commit()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      status: 500,
    });
    expect(() =>
      createSessionManager({ store, secrets: [SECRET], errorStatus: { CONFLICT: 200 } }),
    ).toThrowError(expect.objectContaining({ code: 'MISCONFIGURED' }));
  });
});

describe('commit policy', () => {
  it('commits unless the handler failed or answered 5xx, or when commitOnError is set', () => {
    expect(shouldCommit({ failed: false, status: 200 }, {})).toBe(true);
    expect(shouldCommit({ failed: false, status: 404 }, {})).toBe(true);
    expect(shouldCommit({ failed: false, status: 500 }, {})).toBe(false);
    expect(shouldCommit({ failed: true, status: 200 }, {})).toBe(false);
    expect(shouldCommit({ failed: true, status: 500 }, { commitOnError: true })).toBe(true);
  });

  it('managerFromOptions uses a given manager or builds one', () => {
    const manager = createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });
    expect(managerFromOptions({ manager })).toBe(manager);
    expect(
      managerFromOptions({ store: createMemoryStore(), secrets: [SECRET] }).transport.kind,
    ).toBe('cookie');
  });
});

describe('hostile request URLs', () => {
  it('a URL that does not parse never fails the commit', async () => {
    const manager = createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });
    const session = manager.session(nodeHeaderSource({}), { url: 'http://a b/' });
    await session.set('a', 1);
    const { headers } = await session.commit();
    expect(headers).toHaveLength(1);
  });

  it('4xx errors are exposed to clients, 5xx are not', () => {
    expect(new SessionError('AMBIGUOUS_SESSION', 'x').expose).toBe(true);
    expect(new SessionError('STORE_UNAVAILABLE', 'x').expose).toBe(false);
  });
});

describe('work kept off the request path', () => {
  it('a write re-issues the presented token without signing it again', async () => {
    const { vi } = await import('vitest');
    let now = Date.now();
    const clock = () => now;
    const manager = createSessionManager({
      store: createMemoryStore({ clock }),
      secrets: [SECRET],
      clock,
    });
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const [[, issued] = ['', '']] = (await first.commit()).headers;
    const cookie = issued.split(';')[0] ?? '';
    const sign = vi.spyOn(crypto.subtle, 'sign');
    try {
      // Past the touch interval, so the write moves the expiry and re-issues the cookie.
      now += 61_000;
      const second = manager.session(new Headers({ cookie }));
      await second.set('n', 2);
      const [[, reissued] = ['', '']] = (await second.commit()).headers;
      expect(reissued.split(';')[0]).toBe(cookie);
      expect(sign).not.toHaveBeenCalled();
    } finally {
      sign.mockRestore();
    }
  });

  it('a lazy request URL is built only when a cookie is issued', async () => {
    const manager = createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });
    let built = 0;
    const url = () => {
      built++;
      return 'https://app.test/';
    };
    const untouched = manager.session(nodeHeaderSource({}), { url });
    await untouched.commit();
    expect(built).toBe(0);
    const writing = manager.session(nodeHeaderSource({}), { url });
    await writing.set('a', 1);
    await writing.commit();
    expect(built).toBe(1);
  });
});

describe('closeIfUnused', () => {
  const manager = () => createSessionManager({ store: createMemoryStore(), secrets: [SECRET] });

  it('ends an untouched session synchronously: later use and commit() are refused', async () => {
    const session = manager().session(new Headers({ cookie: 'sid=whatever' }));
    expect(closeIfUnused(session)).toBe(true);
    expect(closeIfUnused(session)).toBe(false);
    await expect(session.set('a', 1)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(session.commit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('leaves a used session alone, to be committed', async () => {
    const session = manager().session(new Headers());
    await session.set('a', 1);
    expect(closeIfUnused(session)).toBe(false);
    const { outcome, headers } = await session.commit();
    expect(outcome).toBe('created');
    expect(headers).toHaveLength(1);
  });

  it('counts an operation started and not awaited as use', async () => {
    const session = manager().session(new Headers());
    const pending = session.get('a');
    expect(closeIfUnused(session)).toBe(false);
    await pending;
    expect((await session.commit()).outcome).toBe('unchanged');
  });

  it('is false for a session the engine did not make', () => {
    expect(closeIfUnused({ commit: async () => ({ headers: [], outcome: 'unchanged' }) })).toBe(
      false,
    );
  });
});
