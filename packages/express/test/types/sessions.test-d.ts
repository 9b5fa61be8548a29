import {
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type Session,
} from '@sessions/core';
import express, { type RequestHandler, Router } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { sessions } from '../../src/index.js';

interface AppData {
  userId: string;
  views: number;
  lastSeen?: Date;
}
const options = { store: createMemoryStore(), secrets: ['x'.repeat(32)] };

// Register is tested in register.test.ts (its own program): here nothing is registered, so the
// augmented Request carries Session<DefaultSessionData>.
describe('req.session typing', () => {
  it('is typed on app routes, app.use and routers through the augmented Request', () => {
    const app = express();
    app.use(sessions(options));
    app.use((req, _res, next) => {
      expectTypeOf(req.session).toEqualTypeOf<Session<DefaultSessionData>>();
      next();
    });
    app.get('/:id', async (req, res) => {
      expectTypeOf(req.session).toEqualTypeOf<Session<DefaultSessionData>>();
      expectTypeOf(req.params.id).toEqualTypeOf<string>();
      res.json(await req.session.get('views'));
    });
    const router = Router();
    router.post('/login', (req) => {
      expectTypeOf(req.session).toEqualTypeOf<Session<DefaultSessionData>>();
    });
  });

  it('is typed by Register only: sessions<Data>() checks the options, not req.session', () => {
    const app = express();
    app.use(sessions<AppData>(options));
    app.get('/', async (req, res) => {
      // Express has no generic for what middleware adds to req: declare Data through Register.
      expectTypeOf(req.session).toEqualTypeOf<Session<DefaultSessionData>>();
      res.end();
    });
  });

  it('returns an Express RequestHandler', () => {
    expectTypeOf(sessions<AppData>(options)).toEqualTypeOf<RequestHandler>();
    const manager = createSessionManager<AppData>(options);
    expectTypeOf(sessions({ manager, commitOnError: true })).toEqualTypeOf<RequestHandler>();
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
