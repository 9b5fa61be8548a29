import { createMemoryStore, type Session } from '@sessions/core';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono, type MiddlewareHandler } from 'hono';
import { expectTypeOf } from 'vitest';

declare module '@sessions/core' {
  interface Register {
    sessionData: { userId: string; cart: string[] };
  }
}

// Compiled on its own (see register.test.ts): the augmentation changes the default for the whole program.
type Registered = { userId: string; cart: string[] };

const middleware = sessions({ store: createMemoryStore(), secrets: ['x'.repeat(32)] });
expectTypeOf(middleware).toEqualTypeOf<MiddlewareHandler<SessionEnv<Registered>>>();

const app = new Hono<SessionEnv>();
app.use(middleware);
app.get('/', async (c) => {
  expectTypeOf(c.var.session).toEqualTypeOf<Session<Registered>>();
  expectTypeOf(c.var.session.get('cart')).resolves.toEqualTypeOf<string[] | undefined>();
  // @ts-expect-error keys outside the registered type are rejected
  void c.var.session.get('other');
  return c.text('ok');
});

new Hono().use(middleware).get('/', (c) => {
  expectTypeOf(c.get('session')).toEqualTypeOf<Session<Registered>>();
  return c.text('ok');
});
