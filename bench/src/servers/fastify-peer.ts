// @fastify/session with its default MemoryStore, behind @fastify/cookie.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { PORT, ready, SECRET } from './common.js';

declare module 'fastify' {
  interface Session {
    views?: number;
  }
}

const app = Fastify();
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: SECRET,
  saveUninitialized: false,
  cookie: { secure: false, maxAge: 86_400_000 },
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
