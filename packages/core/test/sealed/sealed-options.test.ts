import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createSealedSessionManager,
  isSessionError,
  type SealedSessionManagerOptions,
} from '../../src/index.js';
import { KEY, NEW_KEY } from './sealed-harness.js';

function misconfigured(options: unknown): string {
  try {
    createSealedSessionManager(options as SealedSessionManagerOptions);
  } catch (error) {
    if (isSessionError(error, 'MISCONFIGURED')) return error.message;
    throw error;
  }
  throw new Error('expected MISCONFIGURED');
}

describe('createSealedSessionManager: options are validated at construction', () => {
  it('accepts a minimal configuration and exposes the cookie transport', () => {
    const manager = createSealedSessionManager({ keys: [KEY] });
    expect(manager.transport).toMatchObject({ kind: 'cookie', name: 'sid' });
  });

  it('rejects missing, empty, short and repeated keys', () => {
    expect(misconfigured({})).toMatch(/keys must be a non-empty list/);
    expect(misconfigured({ keys: [] })).toMatch(/keys must be a non-empty list/);
    expect(misconfigured({ keys: ['short'] })).toMatch(/keys\[0\] is shorter than 32 bytes/);
    expect(misconfigured({ keys: [KEY, new Uint8Array(31)] })).toMatch(/keys\[1\] is shorter/);
    expect(misconfigured({ keys: [KEY, NEW_KEY, KEY] })).toMatch(/keys\[2\] repeats keys\[0\]/);
    expect(misconfigured({ keys: [42] })).toMatch(/keys\[0\]/);
  });

  it('accepts raw 32-byte keys', async () => {
    const manager = createSealedSessionManager({
      keys: [crypto.getRandomValues(new Uint8Array(32))],
    });
    const session = manager.session(new Headers());
    await session.set('n', 1);
    expect((await session.commit()).outcome).toBe('created');
  });

  it('rejects unsafe cookie, expiry, limits and errorStatus options like the server mode', () => {
    expect(misconfigured({ keys: [KEY], cookie: { name: 'bad name' } })).toMatch(/cookie/);
    expect(misconfigured({ keys: [KEY], cookie: { sameSite: 'none', secure: false } })).toMatch(
      /sameSite/,
    );
    expect(misconfigured({ keys: [KEY], expiry: { idle: 'soon' } })).toMatch(/expiry.idle/);
    expect(misconfigured({ keys: [KEY], limits: { maxBytes: -1 } })).toMatch(/limits.maxBytes/);
    expect(misconfigured({ keys: [KEY], errorStatus: { COOKIE_TOO_LARGE: 200 } })).toMatch(
      /errorStatus/,
    );
  });

  it('rejects options of the server mode that make no sense here, saying why', () => {
    expect(misconfigured({ keys: [KEY], store: createMemoryStore() })).toMatch(
      /unknown option `store`.*createSessionManager/,
    );
    expect(misconfigured({ keys: [KEY], secrets: [KEY] })).toMatch(/unknown option `secrets`/);
    expect(misconfigured({ keys: [KEY], transport: { type: 'header' } })).toMatch(/cookie only/);
    expect(misconfigured({ keys: [KEY], encryption: { keys: [KEY] } })).toMatch(
      /already encrypted/,
    );
  });

  it('rejects a revocation option without a store', () => {
    expect(misconfigured({ keys: [KEY], revocation: {} })).toMatch(
      /revocation.store must implement/,
    );
    expect(misconfigured({ keys: [KEY], revocation: { store: {} } })).toMatch(
      /revocation.store must implement/,
    );
    expect(misconfigured({ keys: [KEY], revocation: 'yes' })).toMatch(/revocation must be/);
  });

  it('a per-request store is a revocation store, so it needs revocation configured', () => {
    const manager = createSealedSessionManager({ keys: [KEY] });
    expect(() => manager.session(new Headers(), { store: createMemoryStore() })).toThrow(
      /revocation is not configured/,
    );
    const withRevocation = createSealedSessionManager({
      keys: [KEY],
      revocation: { store: createMemoryStore() },
    });
    expect(() =>
      withRevocation.session(new Headers(), { store: createMemoryStore() }),
    ).not.toThrow();
  });
});
