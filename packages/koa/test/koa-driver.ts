import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { managerFromOptions, type SessionAdapterOptions } from '@sessions/core';
import { type AdapterDriver, handleScenario, type ScenarioData } from '@sessions/testing';
import type Koa from 'koa';
import { sendRawHttp } from '../../testing/test/support/raw-http.js';
import { sessions } from '../src/index.js';

/** A Koa constructor: Koa 3 (`koa`) or Koa 2 (`koa2`). */
export type KoaConstructor = typeof Koa;

/** An app listening on a free port, driven with `fetch` (Koa has no in-process injector). */
export interface Listening {
  readonly base: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Serves a Koa app on 127.0.0.1 and a free port. */
export async function listen(app: Koa): Promise<Listening> {
  app.silent = true; // expected errors (503, 400, thrown handlers) are not logged
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    fetch: (path, init = {}) => fetch(base + path, { redirect: 'manual', ...init }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The scenario app on `KoaApp`: the adapter, then one catch-all middleware. The manager is built
 * here and shared with the routes on a user's sessions and the admin routes (count, purge).
 */
export function scenarioApp(KoaApp: KoaConstructor) {
  return async (options: SessionAdapterOptions<ScenarioData>): Promise<AdapterDriver> => {
    const manager = managerFromOptions<ScenarioData>(options);
    const app = new KoaApp();
    app.proxy = true; // the client address comes from X-Forwarded-For
    app.use(sessions<ScenarioData>({ ...options, manager }));
    app.use(async (ctx) => {
      const result = await handleScenario(
        ctx.session,
        {
          method: ctx.method,
          path: ctx.path,
          body: await readBody(ctx.req),
        },
        { manager },
      );
      if (result.kind === 'redirect') {
        ctx.status = result.status;
        ctx.redirect(result.location);
        return;
      }
      ctx.status = result.status;
      ctx.body = result.body;
    });
    const server = await listen(app);
    return {
      sendRaw: (raw) => sendRawHttp(server.base, raw),
      async fetch(request) {
        const url = new URL(request.url);
        const init: RequestInit = { method: request.method, headers: request.headers };
        if (request.body !== null) init.body = await request.arrayBuffer();
        return server.fetch(url.pathname + url.search, init);
      },
      close: server.close,
    };
  };
}
