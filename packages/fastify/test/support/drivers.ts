import type { AdapterDriver } from '@sessions/testing';
import type { FastifyInstance } from 'fastify';
import { sendRawHttp } from '../../../testing/test/support/raw-http.js';

/** Drives an app through `app.inject()`, Fastify's in-process request mechanism. */
export function injectDriver(app: FastifyInstance): AdapterDriver {
  return {
    async fetch(request) {
      const body = request.body === null ? undefined : await request.text();
      const reply = await app.inject({
        method: request.method as 'GET',
        url: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
        ...(body === undefined ? {} : { payload: body }),
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(reply.headers)) {
        if (value === undefined) continue;
        for (const line of Array.isArray(value) ? value : [String(value)]) {
          headers.append(name, line);
        }
      }
      const empty = reply.statusCode === 204 || reply.statusCode === 304;
      return new Response(empty ? null : new Uint8Array(reply.rawPayload), {
        status: reply.statusCode,
        headers,
      });
    },
    close: () => app.close(),
  };
}

/** Drives an app over a real socket: `app.listen()` on a free loopback port, then `fetch`. */
export async function listenDriver(app: FastifyInstance): Promise<AdapterDriver> {
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    sendRaw: (raw) => sendRawHttp(origin, raw),
    async fetch(request) {
      const { pathname } = new URL(request.url);
      const init: RequestInit = { method: request.method, headers: request.headers };
      if (request.body !== null) init.body = await request.text();
      return fetch(`${origin}${pathname}`, { ...init, redirect: 'manual' });
    },
    close: () => app.close(),
  };
}
