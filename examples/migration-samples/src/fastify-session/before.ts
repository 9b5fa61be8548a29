// Before: @fastify/session 11 behind @fastify/cookie, with connect-redis 9 as its store.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';

declare module 'fastify' {
  interface Session {
    userId?: string;
    views?: number;
  }
}

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();

const app = Fastify();
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: process.env.SESSION_SECRET ?? '',
  cookieName: 'sessionId',
  saveUninitialized: false,
  rolling: true,
  store: new RedisStore({ client: redis, prefix: 'sess:' }),
  cookie: { maxAge: 24 * 60 * 60 * 1000, httpOnly: true, secure: true, sameSite: 'lax' },
});

app.get('/', async (request) => {
  const views = (request.session.get('views') ?? 0) + 1;
  request.session.set('views', views);
  return { views };
});

app.post('/login', async (request, reply) => {
  await request.session.regenerate(['views']); // keeps only the listed keys
  request.session.set('userId', 'ada');
  return reply.redirect('/', 303);
});

app.post('/logout', async (request, reply) => {
  await request.session.destroy();
  return reply.redirect('/', 303);
});

await app.listen({ port: 3000 });
