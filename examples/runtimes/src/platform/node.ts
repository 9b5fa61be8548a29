import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Listening, Platform } from './platform.js';

/** Node (20 and 24): `node --enable-source-maps <bundle>.mjs [args]`. */
export const platform: Platform = {
  bundle: 'node',
  runtime: `node ${process.version}`,
  args: process.argv.slice(2),
  serverName: '@hono/node-server',
  listen: (fetch) =>
    new Promise<Listening>((resolve) => {
      const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({
          origin: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) =>
              server.close((error) => (error ? fail(error) : done())),
            ),
        }),
      );
    }),
  catchUnhandled(record) {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  },
  exit(code) {
    process.exitCode = code;
  },
};
