import { createDemo } from './app.js';

/** The demo on Bun through `Bun.serve`, on a free port of 127.0.0.1. */
const app = createDemo(`bun ${Bun.version}`);
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
console.log(`listening on http://127.0.0.1:${server.port}`);
