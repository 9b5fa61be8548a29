// @fastify/session behind @fastify/cookie, with its default MemoryStore (BENCH_STORE=memory) or
// connect-redis 9 (BENCH_STORE=redis): @fastify/session takes express-session-compatible stores.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { MAX_AGE_MS, PORT, ready, SECRET, STORE } from './common.js';
import { connectRedisStore } from './connect-redis-store.js';

declare module 'fastify' {
  interface Session {
    views?: number;
  }
}

if (STORE !== 'memory' && STORE !== 'redis') throw new Error(`@fastify/session: no ${STORE} store`);
// connect-redis's RedisStore type-checks as a @fastify/session store as it is: no cast.
const store = STORE === 'redis' ? await connectRedisStore() : undefined;

const app = Fastify();
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: SECRET,
  saveUninitialized: false,
  cookie: { secure: false, maxAge: MAX_AGE_MS },
  ...(store ? { store } : {}),
});
app.get('/write', async (request) => {
  const views = (request.session.get('views') ?? 0) + 1;
  request.session.set('views', views);
  return `views ${views}`;
});
app.get('/read', async (request) => `views ${request.session.get('views') ?? 0}`);
app.get('/untouched', async () => 'hello');
await app.listen({ port: PORT, host: '127.0.0.1' });
ready();
