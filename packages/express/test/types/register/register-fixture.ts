import { createMemoryStore, createSessionManager, type Session } from '@sessions/core';
import express, { Router } from 'express';
import { expectTypeOf } from 'vitest';
import { sessions } from '../../../src/index.js';

declare module '@sessions/core' {
  interface Register {
    sessionData: { userId: string; cart: string[] };
  }
}
type Registered = { userId: string; cart: string[] };

// Compiled on its own (see register.test.ts): the augmentation changes the default for the whole program.
const options = { store: createMemoryStore(), secrets: ['x'.repeat(32)] };

const app = express();
app.use(sessions(options));
app.use(async (req, _res, next) => {
  expectTypeOf(req.session).toEqualTypeOf<Session<Registered>>();
  expectTypeOf(req.session.get('cart')).resolves.toEqualTypeOf<string[] | undefined>();
  // @ts-expect-error keys outside the registered type are rejected
  await req.session.get('other');
  // @ts-expect-error values must match the registered type
  await req.session.set('cart', 'book');
  next();
});

const router = Router();
router.get('/cart/:item', async (req, res) => {
  expectTypeOf(req.session).toEqualTypeOf<Session<Registered>>();
  const cart = (await req.session.get('cart')) ?? [];
  await req.session.set('cart', [...cart, req.params.item]);
  res.redirect(303, '/cart');
});
app.use(router);

// A manager built elsewhere defaults to the registered type too.
app.use(sessions({ manager: createSessionManager(options) }));
