import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { SessionStore } from '@sessions/core';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono } from 'hono';

/** What each client keeps in its session: a counter only it increments. */
export type FaultData = { n: number };

/** A test secret (32+ bytes). */
const SECRET = 'fault-suite-secret-0123456789abcdef0123456789';

export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The app under load: the Hono adapter with Hono's default error handling, so a store outage
 * answers with `SessionError.getResponse()` (503, body `STORE_UNAVAILABLE`), as in an app that
 * installs no `onError`.
 *
 * - `GET /read`: reads the counter (`{ "n": null }` for an anonymous request).
 * - `POST /write`: increments the counter (creating the session when there is none).
 * - `GET /untouched`: never touches the session (must be unaffected by any store fault).
 */
export function createApp(store: SessionStore): Hono<SessionEnv<FaultData>> {
  const app = new Hono<SessionEnv<FaultData>>();
  // Plain HTTP on 127.0.0.1: a Secure cookie would be fine for this client, but say what it is.
  app.use(sessions<FaultData>({ store, secrets: [SECRET], cookie: { secure: false } }));
  app.get('/read', async (c) => c.json({ n: (await c.var.session.get('n')) ?? null }));
  app.post('/write', async (c) => {
    const n = ((await c.var.session.get('n')) ?? 0) + 1;
    await c.var.session.set('n', n);
    return c.json({ n });
  });
  app.get('/untouched', (c) => c.json({ ok: true }));
  return app;
}

/** Serves {@link createApp} on a free port of 127.0.0.1 with @hono/node-server. */
export async function startApp(store: SessionStore): Promise<AppServer> {
  const app = createApp(store);
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({ server: started as Server, port: (info as AddressInfo).port }),
    );
  });
  // Keep-alive connections stay open until the clients close them; no idle cut-off mid-run.
  server.keepAliveTimeout = 60_000;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
