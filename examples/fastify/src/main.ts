import { settingsFromEnv, storeFromEnv } from '@sessions/example-shared';
import { createDemo } from './app.js';

const { port, secret } = settingsFromEnv();
const { name, store, close } = await storeFromEnv();
const app = createDemo({ store, secret, fastify: { logger: { level: 'warn' } } });
app.addHook('onClose', close);
// Fastify's default host, localhost, serves both 127.0.0.1 and ::1.
await app.listen({ port });
console.log(`@sessions demo (Fastify, ${name} store) on http://localhost:${port}`);
