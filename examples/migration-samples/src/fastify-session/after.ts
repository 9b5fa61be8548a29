// After: @sessions/fastify with @sessions/store-redis on ioredis. No @fastify/cookie needed.
import { sessions } from '@sessions/fastify';
import { createRedisStore } from '@sessions/store-redis';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});

const app = Fastify();
await app.register(sessions, {
  store: createRedisStore(redis, { prefix: 'myapp:sess:' }),
  secrets: [process.env.SESSION_SECRET ?? ''], // 32+ bytes; prepend a new one to rotate
  cookie: { name: 'sessionId' },
  expiry: { idle: '1d', absolute: '7d' },
});

app.get('/', async (request) => {
  const views = Number((await request.session.get('views')) ?? 0) + 1;
  await request.session.set('views', views);
  return { views };
});

app.post('/login', async (request, reply) => {
  await request.session.signIn('ada', { keep: ['views'] });
  return reply.redirect('/', 303);
});

app.post('/logout', async (request, reply) => {
  await request.session.destroy();
  return reply.redirect('/', 303);
});

await app.listen({ port: 3000 });
