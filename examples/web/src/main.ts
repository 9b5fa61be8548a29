import { settingsFromEnv, storeFromEnv } from '@sessions/example-shared';
import { createDemo } from './app.js';
import { serveNode } from './serve-node.js';

const { port, secret } = settingsFromEnv();
const { name, store } = await storeFromEnv();
await serveNode(createDemo({ store, secret }), port);
console.log(`@sessions demo (Web-standard, ${name} store) on http://localhost:${port}`);
