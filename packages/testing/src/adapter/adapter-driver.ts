import type { Awaitable, SessionAdapterOptions } from '@sessions/core';
import type { ScenarioData } from './scenario-app.js';

/** How the adapter suite talks to an app built on one framework. */
export interface AdapterDriver {
  /**
   * Sends one request to the app (through the framework's in-process mechanism or a real socket)
   * and returns its response. Must not follow redirects and must keep every `Set-Cookie` line.
   */
  fetch(request: Request): Promise<Response>;
  /** Releases the app (closes a server). */
  close?(): Awaitable<void>;
}

/** Options for `describeAdapterConformance`. */
export interface AdapterConformanceOptions {
  /** Shown in the outer `describe`, e.g. `'hono'`. */
  readonly name: string;
  /**
   * Builds the scenario app with the adapter installed with `options`: one catch-all route that
   * passes the request's session and `{ method, path, body }` to `handleScenario` and answers as
   * it says (a JSON body with a status, or a redirect through the framework's redirect API).
   * Errors `handleScenario` throws must go through the framework's normal error path.
   */
  readonly createApp: (options: SessionAdapterOptions<ScenarioData>) => Awaitable<AdapterDriver>;
}
