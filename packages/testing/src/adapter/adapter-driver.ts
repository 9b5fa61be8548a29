import type {
  AnySessionCodec,
  Awaitable,
  SessionAdapterOptions,
  SessionStore,
} from '@sessions/core';
import type { ManualClock } from '../manual-clock.js';
import type { RawRequest } from './raw-request.js';
import type { ScenarioData } from './scenario-app.js';

/** How the adapter suite talks to an app built on one framework. */
export interface AdapterDriver {
  /**
   * Sends one request to the app (through the framework's in-process mechanism or a real socket)
   * and returns its response. Must not follow redirects and must keep every `Set-Cookie` line.
   */
  fetch(request: Request): Promise<Response>;
  /**
   * Sends a request with its header lines exactly as given (repeated lines kept apart, control
   * characters and oversized lines unvalidated) over a real socket, for a driver that has one; the
   * `Host`, `Content-Length` and `Connection: close` lines are added. Resolves with the response,
   * or `undefined` when the server closed the connection without answering. Without it,
   * `ScenarioClient.sendRaw` goes through {@link fetch}, where a Fetch `Headers` joins repeated
   * lines with `", "`, as a Fetch runtime receives them.
   */
  sendRaw?(request: RawRequest): Promise<Response | undefined>;
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
   * The adapter must take the client address from the first `X-Forwarded-For` entry, through the
   * framework's trust-proxy setting (Fastify `trustProxy`, Koa `app.proxy = true`, Hono's
   * `clientAddress` option): the client-binding scenarios send it to choose a client's IP.
   */
  readonly createApp: (options: SessionAdapterOptions<ScenarioData>) => Awaitable<AdapterDriver>;
  /**
   * The store the scenarios run on. Default: a memory store on the scenario's manual clock
   * ({@link MEMORY_SCENARIO_STORE}).
   */
  readonly store?: ScenarioStoreOptions | undefined;
  /**
   * The codec every scenario app is built with (passed to `createApp` as `codec`), e.g.
   * `msgpackCodec` from `@sessions/codec-msgpack`; it needs a store that holds its values.
   * Default: the manager's default, `jsonCodec`.
   */
  readonly codec?: AnySessionCodec | undefined;
}

/** The store an adapter scenario run uses, and how it tells time. */
export interface ScenarioStoreOptions {
  /**
   * Builds the store for one scenario, given that scenario's clock; called once per scenario.
   * The suite wraps it with `observeStore` to count its calls. A store on a shared server may
   * return a new view of one client (`createRedisStore(client, { prefix })`): every scenario makes
   * fresh random session IDs, so scenarios and runs never meet.
   */
  readonly store: (clock: ManualClock) => SessionStore;
  /**
   * True when the store compares expiry against `clock.clock` (the memory store can): the engine
   * then runs on that manual clock too and every scenario runs. False when the store compares
   * against a real clock it does not share with the test (Redis, Postgres): the engine then runs
   * on the real time as well, `context.clock` reads the real time and throws if moved, and the
   * scenarios that move it (`needsManualClock`) are skipped, with the reason.
   */
  readonly usesClock: boolean;
}
