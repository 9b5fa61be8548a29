import {
  isSessionError,
  managerFromOptions,
  type SessionAdapterOptions,
  withSession,
} from '@sessions/core';
import { type AdapterDriver, handleScenario, type ScenarioData } from '../../src/index.js';

/**
 * The reference "adapter": core's own withSession on plain Request/Response. Every framework
 * adapter must pass the same scenarios.
 */
export function webScenarioApp(options: SessionAdapterOptions<ScenarioData>): AdapterDriver {
  const manager = managerFromOptions<ScenarioData>(options);
  const handler = withSession(
    manager,
    async (request, session) => {
      const url = new URL(request.url);
      const result = await handleScenario(
        session,
        {
          method: request.method,
          path: url.pathname,
          body: await request.text(),
        },
        { manager },
      );
      if (result.kind === 'redirect') {
        return new Response(null, {
          status: result.status,
          headers: { location: result.location },
        });
      }
      return Response.json(result.body, { status: result.status });
    },
    {
      ...options,
      // The scenario contract: the client address is the first X-Forwarded-For entry.
      clientAddress: (request) => request.headers.get('x-forwarded-for')?.split(',')[0]?.trim(),
    },
  );
  return {
    async fetch(request) {
      try {
        return await handler(request);
      } catch (error) {
        // What a framework's default error path does.
        return isSessionError(error)
          ? error.getResponse()
          : new Response('internal error', { status: 500 });
      }
    },
  };
}
