import { createMemoryStore } from '@sessions/core';
import { createDemo } from './app.js';
import { serveNode } from './serve-node.js';

const port = Number(process.env.PORT ?? 3000);
const storeName = process.env.SESSION_STORE ?? 'memory';
if (storeName !== 'memory') {
  console.error(`SESSION_STORE=${storeName} is not available yet; this demo supports: memory`);
  process.exit(1);
}
let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = 'development-only-secret-do-not-use-in-production';
  console.warn(
    'SESSION_SECRET is not set: using a development secret. Set SESSION_SECRET (32+ bytes) in production.',
  );
}

await serveNode(createDemo({ store: createMemoryStore(), secret }), port);
console.log(`@sessions demo (Web-standard, memory store) on http://localhost:${port}`);
