import { describe, expectTypeOf, it } from 'vitest';
import {
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type RegisteredSessionData,
  type Session,
} from '../../src/index.js';

interface AppData {
  userId: string;
  views: number;
  lastSeen?: Date;
  prefs: { theme: 'dark' | 'light' };
}

describe('Session<Data> typing', () => {
  const manager = createSessionManager<AppData>({
    store: createMemoryStore(),
    secrets: ['x'.repeat(32)],
  });
  const session = manager.session(new Headers());

  it('types get by key', () => {
    expectTypeOf(session.get('views')).resolves.toEqualTypeOf<number | undefined>();
    expectTypeOf(session.get('lastSeen')).resolves.toEqualTypeOf<Date | undefined>();
    expectTypeOf(session.get('prefs')).resolves.toEqualTypeOf<
      { theme: 'dark' | 'light' } | undefined
    >();
  });

  it('types set by key and rejects unknown keys or wrong values', () => {
    expectTypeOf(session.set).toBeCallableWith('views', 1);
    expectTypeOf(session.set).toBeCallableWith('lastSeen', new Date());
    // @ts-expect-error unknown key
    void session.set('nope', 1);
    // @ts-expect-error wrong value type
    void session.set('views', 'many');
    // @ts-expect-error optional keys cannot be set to undefined (use remove)
    void session.set('lastSeen', undefined);
    // @ts-expect-error unknown key
    void session.get('nope');
  });

  it('types keys, getAll and regenerate keep lists', () => {
    expectTypeOf(session.keys()).resolves.toEqualTypeOf<
      ('userId' | 'views' | 'lastSeen' | 'prefs')[]
    >();
    expectTypeOf(session.getAll()).resolves.toEqualTypeOf<Partial<AppData>>();
    expectTypeOf(session.regenerate).toBeCallableWith({ keep: ['views'] });
    // @ts-expect-error unknown key in keep
    void session.regenerate({ keep: ['nope'] });
  });

  it('defaults to any key with values in the value domain', () => {
    expectTypeOf<RegisteredSessionData>().toEqualTypeOf<DefaultSessionData>();
    const loose = createSessionManager({
      store: createMemoryStore(),
      secrets: ['x'.repeat(32)],
    }).session(new Headers());
    expectTypeOf(loose).toEqualTypeOf<Session<DefaultSessionData>>();
    expectTypeOf(loose.set).toBeCallableWith('anything', { nested: [1, 'two', null, new Date()] });
    // @ts-expect-error functions are outside the value domain
    void loose.set('fn', () => 1);
    // @ts-expect-error BigInt is outside the value domain
    void loose.set('big', 1n);
  });

  it('rejects data types outside the value domain at the manager', () => {
    // @ts-expect-error Map is not a session value
    createSessionManager<{ m: Map<string, string> }>({
      store: createMemoryStore(),
      secrets: ['x'.repeat(32)],
    });
  });
});

describe('interfaces as session data', () => {
  interface User {
    id: string;
    roles: string[];
    joined: Date;
  }
  interface WithInterfaces {
    user: User;
    tags?: readonly string[];
  }
  it('accepts interfaces whose fields are storable', () => {
    const session = createSessionManager<WithInterfaces>({
      store: createMemoryStore(),
      secrets: ['x'.repeat(32)],
    }).session(new Headers());
    expectTypeOf(session.get('user')).resolves.toEqualTypeOf<User | undefined>();
  });
  it('rejects interfaces with methods, bigint or Map inside', () => {
    interface WithMethod {
      user: { name: string; greet(): string };
    }
    // @ts-expect-error a method is not storable
    createSessionManager<WithMethod>({ store: createMemoryStore(), secrets: ['x'.repeat(32)] });
    // @ts-expect-error bigint is not storable
    createSessionManager<{ n: bigint }>({ store: createMemoryStore(), secrets: ['x'.repeat(32)] });
  });
});
