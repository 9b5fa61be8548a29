import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDemo } from './app.js';

/** The demo on Node through `@hono/node-server`, on a free port of 127.0.0.1. */
const app = createDemo(`node ${process.version}`);
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
