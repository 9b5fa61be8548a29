import type { BundleKind } from '../runtimes.js';

/** A Web-standard request handler, as `app.fetch` is. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A server a runtime started on 127.0.0.1. */
export interface Listening {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * What a script runtime (Node, Bun, Deno) gives the bundles' entries: its name, its command-line
 * arguments, its own HTTP server and its way of ending the process. One module per runtime
 * (`node.ts`, `bun.ts`, `deno.ts`) implements it; workerd has no script entry (see
 * `entries/tests-workerd.ts`).
 */
export interface Platform {
  readonly bundle: Exclude<BundleKind, 'workerd'>;
  /** How the runtime names itself, e.g. `bun 1.4.5` (the `runtime:` line, the demo's `/runtime`). */
  readonly runtime: string;
  /** The command-line arguments after the script's path. */
  readonly args: readonly string[];
  /** The runtime's own HTTP server: `@hono/node-server`, `Bun.serve` or `Deno.serve`. */
  readonly serverName: string;
  /** Serves `fetch` with that server on a free port of 127.0.0.1. */
  listen(fetch: FetchHandler): Promise<Listening>;
  /** Sends unhandled rejections and uncaught errors to `record` (they fail the run, as in Vitest). */
  catchUnhandled(record: (error: unknown) => void): void;
  /** Ends the process with `code`: Node and Bun once the event loop is empty, Deno at once. */
  exit(code: number): void;
}
