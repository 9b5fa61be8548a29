import {
  createMemoryStore,
  createSessionManager,
  type DefaultSessionData,
  type Session,
  type SessionValue,
} from '@sessions/core';
import Fastify, { type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { type FastifySessionsOptions, sessions } from '../../src/index.js';

interface AppData {
  userId: string;
  views: number;
}

const store = createMemoryStore();
const secrets = ['x'.repeat(32)];

describe('request.session typing', () => {
  it('decorates every FastifyRequest with a Session of the registered data (default here)', () => {
    expectTypeOf<FastifyRequest['session']>().toEqualTypeOf<Session<DefaultSessionData>>();
    expectTypeOf<FastifyRequest['session']>().not.toBeAny();
    const app = Fastify();
    app.get('/', async (request) => {
      expectTypeOf(request.session.get('anything')).resolves.toEqualTypeOf<
        SessionValue | undefined
      >();
      return null;
    });
  });

  it('types the session with an explicit generic through Fastify’s getDecorator', () => {
    const app = Fastify();
    app.get('/', async (request) => {
      const session = request.getDecorator<Session<AppData>>('session');
      expectTypeOf(session.get('views')).resolves.toEqualTypeOf<number | undefined>();
      // @ts-expect-error keys outside AppData are rejected
      void session.get('other');
      // @ts-expect-error values must match AppData
      void session.set('views', 'many');
      return null;
    });
  });
});

describe('plugin options', () => {
  it('is a Fastify plugin taking the adapter options', () => {
    expectTypeOf(sessions).toEqualTypeOf<FastifyPluginAsync<FastifySessionsOptions>>();
    const app = Fastify();
    app.register(sessions, { store, secrets });
    app.register(sessions, { store, secrets, commitOnError: true, cookie: { name: '__Host-sid' } });
    app.register(sessions, { manager: createSessionManager({ store, secrets }) });
    // @ts-expect-error secrets are required
    app.register(sessions, { store });
    // @ts-expect-error commitOnError is a boolean
    app.register(sessions, { store, secrets, commitOnError: 'yes' });
  });
});
