import {
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type Session,
  type SessionStore,
} from '@sessions/core';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { type HonoSessionOptions, type SessionEnv, sessions } from '../../src/index.js';

interface AppData {
  userId: string;
  views: number;
  cart: string[];
}

const base = { store: createMemoryStore(), secrets: ['x'.repeat(32)] };

describe('c.var.session is typed through the Env generic', () => {
  it('with an explicit data type', () => {
    const middleware = sessions<AppData>(base);
    expectTypeOf(middleware).toEqualTypeOf<MiddlewareHandler<SessionEnv<AppData>>>();
    const app = new Hono<SessionEnv<AppData>>();
    app.use(middleware);
    app.get('/', async (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(c.get('session')).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(c.var.session.get('views')).resolves.toEqualTypeOf<number | undefined>();
      expectTypeOf(c.var.session.set).toBeCallableWith('cart', ['book']);
      // @ts-expect-error wrong value type
      void c.var.session.set('views', 'many');
      // @ts-expect-error unknown key
      void c.var.session.get('nope');
      return c.text('ok');
    });
  });

  it('through a chained app, without naming the env', () => {
    new Hono().use(sessions<AppData>(base)).get('/', (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<Session<AppData>>();
      return c.text('ok');
    });
  });

  it('inferred from a shared manager', () => {
    const manager = createSessionManager<AppData>(base);
    expectTypeOf(sessions({ manager, commitOnError: true })).toEqualTypeOf<
      MiddlewareHandler<SessionEnv<AppData>>
    >();
  });

  it('defaults to the registered type (DefaultSessionData when none is registered)', () => {
    expectTypeOf(sessions(base)).toEqualTypeOf<MiddlewareHandler<SessionEnv<DefaultSessionData>>>();
    expectTypeOf<SessionEnv['Variables']['session']>().toEqualTypeOf<Session<DefaultSessionData>>();
  });

  it('rejects data types outside the value domain and mismatched managers', () => {
    // @ts-expect-error functions cannot be stored
    sessions<{ callback: () => void }>(base);
    const other = createSessionManager<{ other: number }>(base);
    // @ts-expect-error the manager's data type must match
    sessions<AppData>({ manager: other });
  });
});

describe('storeFor', () => {
  type BoundEnv = SessionEnv<AppData> & { Bindings: { SESSIONS: SessionStore } };

  it('receives the context of the env it is declared with', () => {
    sessions<AppData, BoundEnv>({
      ...base,
      storeFor: (c) => {
        expectTypeOf(c).toEqualTypeOf<Context<BoundEnv>>();
        return c.env.SESSIONS;
      },
    });
    // Or inferred from the parameter's annotation.
    sessions({ ...base, storeFor: (c: Context<BoundEnv>) => c.env.SESSIONS });
    expectTypeOf<HonoSessionOptions<AppData, BoundEnv>['storeFor']>().toEqualTypeOf<
      ((c: Context<BoundEnv>) => SessionStore) | undefined
    >();
  });

  it('must return a store', () => {
    // @ts-expect-error not a SessionStore
    sessions({ ...base, storeFor: () => 'memory' });
  });
});
