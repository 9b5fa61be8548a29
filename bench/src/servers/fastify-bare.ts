import Fastify from 'fastify';
import { PORT, ready } from './common.js';

let views = 0;
const app = Fastify();
app.get('/write', async () => `views ${++views}`);
app.get('/read', async () => `views ${views}`);
app.get('/untouched', async () => 'hello');
await app.listen({ port: PORT, host: '127.0.0.1' });
ready();
