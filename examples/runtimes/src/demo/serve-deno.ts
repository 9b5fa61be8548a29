import { createDemo } from './app.js';

/** The demo on Deno through `Deno.serve`, on a free port of 127.0.0.1. */
const app = createDemo(`deno ${Deno.version.deno}`);
Deno.serve(
  {
    port: 0,
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
);
