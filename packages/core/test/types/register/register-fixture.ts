import {
  createMemoryStore,
  createSessionManager,
  type RegisteredSessionData,
  type Session,
} from '@sessions/core';
import { expectTypeOf } from 'vitest';

declare module '@sessions/core' {
  interface Register {
    sessionData: { userId: string; cart: string[] };
  }
}

// Compiled on its own (see register.test.ts): the augmentation changes the default for the whole program.
expectTypeOf<RegisteredSessionData>().toEqualTypeOf<{ userId: string; cart: string[] }>();
const session = createSessionManager({
  store: createMemoryStore(),
  secrets: ['x'.repeat(32)],
}).session(new Headers());
expectTypeOf(session).toEqualTypeOf<Session<{ userId: string; cart: string[] }>>();
expectTypeOf(session.get('cart')).resolves.toEqualTypeOf<string[] | undefined>();
// @ts-expect-error keys outside the registered type are rejected
void session.get('other');
