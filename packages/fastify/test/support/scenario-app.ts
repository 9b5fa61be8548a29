import { managerFromOptions, type SessionAdapterOptions } from '@sessions/core';
import { handleScenario, type ScenarioData } from '@sessions/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { sessions } from '../../src/index.js';

/**
 * The scenario app on Fastify: the plugin, a raw-string body parser, and ONE catch-all route that
 * answers as `handleScenario` says (JSON with a status, or `reply.redirect`). Errors propagate to
 * Fastify's own error path. The manager is built here and shared with the routes on a user's
 * sessions and the admin routes (count, purge).
 */
export function createScenarioApp(options: SessionAdapterOptions<ScenarioData>): FastifyInstance {
  const manager = managerFromOptions<ScenarioData>(options);
  // The client address comes from X-Forwarded-For, sent by the loopback test client.
  const app = Fastify({ trustProxy: 'loopback' });
  app.register(sessions, { ...options, manager });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.all('/*', async (request, reply) => {
    const result = await handleScenario(
      request.session,
      {
        method: request.method,
        path: request.url.split('?', 1)[0] ?? '/',
        body: typeof request.body === 'string' ? request.body : '',
      },
      { manager },
    );
    if (result.kind === 'redirect') return reply.redirect(result.location, result.status);
    return reply.code(result.status).send(result.body);
  });
  return app;
}
