import { managerFromOptions } from '@sessions/core';
import { type HonoSessionOptions, type SessionEnv, sessions } from '@sessions/hono';
import {
  type AdapterDriver,
  describeAdapterConformance,
  handleScenario,
  type ScenarioData,
  ScenarioError,
  type ScenarioStoreOptions,
} from '@sessions/testing';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { beforeAll, vi } from 'vitest';
import type { Platform } from '../platform/platform.js';

/** Serves a Hono app on a real socket of the current runtime and returns a driver for it. */
export type ServeApp = (app: Hono<SessionEnv<ScenarioData>>) => Promise<AdapterDriver>;

/**
 * The scenario app of `packages/hono/test/scenarios.test.ts` (kept identical): one catch-all
 * route; errors go to Hono's default error handler. The manager is built here and shared with the
 * routes on a user's sessions and the admin routes (count, purge).
 */
function scenarioApp(options: HonoSessionOptions<ScenarioData>) {
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

/** The runtime's own HTTP server, as the scenarios' `servers` (none on workerd). */
export function runtimeServers(platform: Platform): Record<string, ServeApp> {
  return {
    [platform.serverName]: async (app) => {
      const server = await platform.listen(app.fetch);
      return overHttp(server.origin, () => server.close());
    },
  };
}

/**
 * Registers the adapter scenario suite of `@sessions/testing` against the Hono adapter: in
 * process through `app.request()` everywhere, and over a real socket through each of `servers`
 * (the runtime's own HTTP server: `@hono/node-server`, `Bun.serve`, `Deno.serve`). `store` is the
 * scenarios' store, its `name` going into the suite names (default: the memory store on the
 * scenarios' manual clock).
 */
export function registerHonoScenarios(
  servers: Record<string, ServeApp>,
  store?: { readonly name: string; readonly options: ScenarioStoreOptions },
): void {
  const on = store === undefined ? '' : ` on ${store.name}`;
  // Hono's default error handler logs errors without `getResponse`; the scenarios throw on purpose.
  beforeAll(() => {
    const log = console.error;
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      if (!(args[0] instanceof ScenarioError)) log(...args);
    });
  });
  describeAdapterConformance({
    name: `hono (app.request)${on}`,
    createApp: (options) => {
      const app = scenarioApp(options);
      return { fetch: async (request) => app.request(request) };
    },
    store: store?.options,
  });
  for (const [name, serve] of Object.entries(servers)) {
    describeAdapterConformance({
      name: `hono (${name})${on}`,
      createApp: (options) => serve(scenarioApp(options)),
      store: store?.options,
    });
  }
}

/**
 * A driver that sends each request to `origin` over HTTP with the runtime's `fetch`, never
 * following redirects (like `overNodeServer` in the Hono adapter's tests).
 */
export function overHttp(origin: string, close: () => Promise<void> | void): AdapterDriver {
  return {
    async fetch(request) {
      const url = new URL(request.url);
      const body = ['GET', 'HEAD'].includes(request.method) ? null : await request.arrayBuffer();
      return fetch(`${origin}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
        redirect: 'manual',
      });
    },
    close,
  };
}
