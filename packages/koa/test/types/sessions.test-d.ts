import Router from '@koa/router';
import {
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type Session,
} from '@sessions/core';
import Koa, { type DefaultState, type Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { type SessionContext, sessions } from '../../src/index.js';

interface AppData {
  userId: string;
  views: number;
  lastSeen?: Date;
}
const options = { store: createMemoryStore(), secrets: ['x'.repeat(32)] };

// Register is tested in register.test.ts (its own program): here nothing is registered, so the
// augmented default context carries Session<DefaultSessionData>.
describe('ctx.session typing', () => {
  it('is typed on a plain app through the augmented DefaultContext', () => {
    const app = new Koa();
    app.use(sessions(options));
    app.use(async (ctx, next) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<DefaultSessionData>>();
      await next();
    });
  });

  it('is typed in @koa/router handlers on a plain router', () => {
    const router = new Router();
    router.get('/', async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<DefaultSessionData>>();
      expectTypeOf(ctx.params).toEqualTypeOf<Record<string, string>>();
    });
  });

  it('takes an explicit data type through the app and router context generic', () => {
    const app = new Koa<DefaultState, SessionContext<AppData>>();
    app.use(sessions<AppData>(options));
    app.use(async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<AppData>>();
      expectTypeOf(ctx.session.get('views')).resolves.toEqualTypeOf<number | undefined>();
      expectTypeOf(ctx.session.get('lastSeen')).resolves.toEqualTypeOf<Date | undefined>();
      // @ts-expect-error a value of the wrong type
      await ctx.session.set('views', 'many');
      // @ts-expect-error a key outside AppData
      await ctx.session.get('other');
    });
    const router = new Router<DefaultState, SessionContext<AppData>>();
    router.post('/login', async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<AppData>>();
      await ctx.session.set('userId', ctx.params.id ?? 'anonymous');
    });
    app.use(router.routes());
  });

  it('returns Koa middleware carrying the session context', () => {
    expectTypeOf(sessions<AppData>(options)).toEqualTypeOf<
      Middleware<DefaultState, SessionContext<AppData>>
    >();
    const manager = createSessionManager<AppData>(options);
    expectTypeOf(sessions({ manager, commitOnError: true })).toEqualTypeOf<
      Middleware<DefaultState, SessionContext<AppData>>
    >();
  });

  it('accepts the manager options or a manager, plus commitOnError', () => {
    sessions({ ...options, cookie: { name: '__Host-sid' }, commitOnError: false });
    // @ts-expect-error secrets are required
    sessions({ store: createMemoryStore() });
    // @ts-expect-error the manager's data type must match
    sessions<AppData>({ manager: createSessionManager<{ other: number }>(options) });
  });

  it('rejects data types outside the value domain', () => {
    // @ts-expect-error bigint is not storable
    sessions<{ big: bigint }>(options);
  });
});
