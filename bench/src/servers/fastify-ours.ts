import { sessions } from '@sessions/fastify';
import Fastify from 'fastify';
import { PORT, ready, SECRET } from './common.js';
import { oursStore } from './ours-store.js';

const app = Fastify();
await app.register(sessions, { store: await oursStore(), secrets: [SECRET] });
app.get('/write', async (request) => {
  const views = (((await request.session.get('views')) as number | undefined) ?? 0) + 1;
  await request.session.set('views', views);
  return `views ${views}`;
});
app.get('/read', async (request) => `views ${(await request.session.get('views')) ?? 0}`);
app.get('/untouched', async () => 'hello');
await app.listen({ port: PORT, host: '127.0.0.1' });
ready();
