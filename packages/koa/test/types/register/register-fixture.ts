import Router from '@koa/router';
import { createMemoryStore, createSessionManager, type Session } from '@sessions/core';
import Koa, { type DefaultState, type Middleware } from 'koa';
import { expectTypeOf } from 'vitest';
import { type SessionContext, sessions } from '../../../src/index.js';

declare module '@sessions/core' {
  interface Register {
    sessionData: { userId: string; cart: string[] };
  }
}
type Registered = { userId: string; cart: string[] };

// Compiled on its own (see register.test.ts): the augmentation changes the default for the whole program.
const options = { store: createMemoryStore(), secrets: ['x'.repeat(32)] };
expectTypeOf(sessions(options)).toEqualTypeOf<
  Middleware<DefaultState, SessionContext<Registered>>
>();

const app = new Koa();
app.use(sessions(options));
app.use(async (ctx, next) => {
  expectTypeOf(ctx.session).toEqualTypeOf<Session<Registered>>();
  expectTypeOf(ctx.session.get('cart')).resolves.toEqualTypeOf<string[] | undefined>();
  // @ts-expect-error keys outside the registered type are rejected
  await ctx.session.get('other');
  // @ts-expect-error values must match the registered type
  await ctx.session.set('cart', 'book');
  await next();
});

const router = new Router();
router.get('/cart/:item', async (ctx) => {
  expectTypeOf(ctx.session).toEqualTypeOf<Session<Registered>>();
  const cart = (await ctx.session.get('cart')) ?? [];
  await ctx.session.set('cart', [...cart, ctx.params.item ?? '']);
});
app.use(router.routes());

// A manager built elsewhere defaults to the registered type too.
app.use(sessions({ manager: createSessionManager(options) }));
