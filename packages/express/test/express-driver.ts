import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from '@sessions/core';
import { managerFromOptions, type SessionAdapterOptions } from '@sessions/core';
import { type AdapterDriver, handleScenario, type ScenarioData } from '@sessions/testing';
import type express from 'express';
import type { Express, Request } from 'express';
import { sendRawHttp } from '../../testing/test/support/raw-http.js';
import { sessions } from '../src/index.js';

/** An Express factory: Express 5 (`express`) or Express 4 (`express4`). */
export type ExpressFactory = typeof express;

/** An app listening on a free port, driven with `fetch` (Express has no in-process injector). */
export interface Listening {
  readonly base: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Serves an Express app on 127.0.0.1 and a free port. */
export async function listen(app: Express): Promise<Listening> {
  const server: Server = createServer(app);
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

/** The raw request body as text (no body parser: the scenarios send JSON as any content type). */
export async function readBody(req: Request): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The scenario app on `createExpress`: the adapter, then one catch-all handler. The manager is
 * built here and shared with the routes on a user's sessions and the admin routes (count, purge).
 * Rejections go to `next` (Express 5 does that itself; Express 4 would leave the request hanging).
 */
export function scenarioApp(createExpress: ExpressFactory) {
  return async (options: SessionAdapterOptions<ScenarioData>): Promise<AdapterDriver> => {
    const manager = managerFromOptions<ScenarioData>(options);
    const app = createExpress();
    app.set('trust proxy', true); // the client address comes from X-Forwarded-For
    app.use(sessions<ScenarioData>({ ...options, manager }));
    app.use((req, res, next) => {
      const run = async () => {
        // DefaultSessionData (nothing is registered here) is ScenarioData's shape.
        const session: Session<ScenarioData> = req.session;
        const request = { method: req.method, path: req.path, body: await readBody(req) };
        const result = await handleScenario(session, request, { manager });
        if (result.kind === 'redirect') res.redirect(result.status, result.location);
        else res.status(result.status).json(result.body);
      };
      run().catch(next);
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
