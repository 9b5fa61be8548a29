import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { AdapterDriver } from '@sessions/testing';
import type { Env, Hono } from 'hono';
import { sendRawHttp } from '../../../testing/test/support/raw-http.js';

/** Drives an app in-process through `app.request()`. */
export function inProcess<E extends Env>(app: Hono<E>): AdapterDriver {
  return { fetch: async (request) => app.request(request) };
}

/**
 * Serves an app on a real socket with `@hono/node-server` (defaults included, so Node's global
 * Request/Response are replaced by its lightweight ones, as in production) and sends the driver's
 * requests to it.
 */
export async function overNodeServer<E extends Env>(app: Hono<E>): Promise<AdapterDriver> {
  let server: ReturnType<typeof serve> | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  return {
    sendRaw: (request) => sendRawHttp(`http://127.0.0.1:${port}`, request),
    async fetch(request) {
      const url = new URL(request.url);
      const body = ['GET', 'HEAD'].includes(request.method) ? null : await request.arrayBuffer();
      return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
        redirect: 'manual',
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        server?.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}
