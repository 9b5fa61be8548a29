import { createMemoryStore, createSessionManager, type Session } from '@sessions/core';
import { sessions } from '@sessions/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
import { expectTypeOf } from 'vitest';

interface AppSession {
  userId: string;
  cart: string[];
}

declare module '@sessions/core' {
  interface Register {
    sessionData: AppSession;
  }
}

// Compiled on its own (see register.test.ts): the augmentation changes the default for the whole program.
const store = createMemoryStore();
const secrets = ['x'.repeat(32)];
expectTypeOf<FastifyRequest['session']>().toEqualTypeOf<Session<AppSession>>();

const app = Fastify();
app.register(sessions, { store, secrets });
// A manager typed with an explicit generic fits when it matches the registered type.
app.register(sessions, { manager: createSessionManager<AppSession>({ store, secrets }) });
// @ts-expect-error a manager for other data does not
app.register(sessions, { manager: createSessionManager<{ other: number }>({ store, secrets }) });

app.get('/', async (request) => {
  expectTypeOf(request.session).toEqualTypeOf<Session<AppSession>>();
  expectTypeOf(request.session.get('cart')).resolves.toEqualTypeOf<string[] | undefined>();
  await request.session.set('userId', 'ada');
  // @ts-expect-error keys outside the registered type are rejected
  void request.session.get('other');
  // @ts-expect-error values must match the registered type
  void request.session.set('cart', 'book');
  return null;
});
