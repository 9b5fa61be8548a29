import { serve } from '@hono/node-server';
import { settingsFromEnv, storeFromEnv } from '@sessions/example-shared';
import { createDemo } from './app.js';

const { port, secret } = settingsFromEnv();
const { name, store } = await storeFromEnv();
serve({ fetch: createDemo({ store, secret }).fetch, port }, () => {
  console.log(`@sessions demo (Hono, ${name} store) on http://localhost:${port}`);
});
