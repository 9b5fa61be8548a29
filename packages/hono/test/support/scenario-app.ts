import { managerFromOptions } from '@sessions/core';
import { handleScenario, type ScenarioData, ScenarioError } from '@sessions/testing';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { vi } from 'vitest';
import { type HonoSessionOptions, type SessionEnv, sessions } from '../../src/index.js';

/**
 * The scenario app: one catch-all route; errors go to Hono's default error handler. The manager is
 * built here and shared with the routes on a user's sessions and the admin routes (count, purge).
 * (Also used by suites/matrix.)
 */
export function scenarioApp(options: HonoSessionOptions<ScenarioData>) {
  const manager = managerFromOptions<ScenarioData>(options);
  const app = new Hono<SessionEnv<ScenarioData>>();
  // Hono has no trust-proxy setting: the app trusts X-Forwarded-For, as behind its own proxy.
  const clientAddress = (c: Context) => c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  app.use(sessions({ ...options, manager, clientAddress }));
  app.all('*', async (c) => {
    const result = await handleScenario(
      c.var.session,
      {
        method: c.req.method,
        path: c.req.path,
        body: await c.req.text(),
      },
      { manager },
    );
    if (result.kind === 'redirect') return c.redirect(result.location, result.status);
    return c.json(result.body, result.status as ContentfulStatusCode);
  });
  return app;
}

/**
 * Hono's default error handler logs errors without `getResponse`; the scenarios throw on purpose.
 * Call from a `beforeAll`: hides those `ScenarioError` logs and lets every other one through.
 */
export function quietScenarioErrors(): void {
  const log = console.error;
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (!(args[0] instanceof ScenarioError)) log(...args);
  });
}
