// After: a sealed-cookie session manager from @sessions/core on node:http, revocable per user
// through an epoch kept in Redis.
import { createServer } from 'node:http';
import { createSealedSessionManager } from '@sessions/core';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';

interface Data {
  views: number;
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});

const sessions = createSealedSessionManager<Data>({
  keys: [process.env.SESSION_PASSWORD ?? ''], // 32+ bytes; prepend a new one to rotate
  cookie: { name: 'app_session' },
  expiry: { idle: '14d', absolute: '30d' },
  revocation: { store: createRedisStore(redis, { prefix: 'myapp:revoked:' }) },
});

createServer(async (req, res) => {
  const session = sessions.session(new Headers({ cookie: req.headers.cookie ?? '' }));
  let status = 200;
  let body = '';
  if (req.url === '/login' && req.method === 'POST') {
    await session.signIn('ada'); // a new sealed cookie, bound to the user
    status = 303;
  } else if (req.url === '/logout' && req.method === 'POST') {
    await session.destroy();
    status = 303;
  } else if (req.url === '/logout-everywhere' && req.method === 'POST') {
    const userId = await session.getUserId();
    if (userId !== undefined) await sessions.revokeUserSessions(userId); // iron-session cannot
    status = 303;
  } else {
    const views = ((await session.get('views')) ?? 0) + 1;
    await session.set('views', views);
    body = `${views} views`;
  }
  const { headers } = await session.commit();
  for (const [name, value] of headers) res.appendHeader(name, value);
  if (status === 303) res.setHeader('location', '/');
  res.writeHead(status).end(body);
}).listen(3000);
