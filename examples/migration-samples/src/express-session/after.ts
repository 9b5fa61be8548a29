// After: @sessions/express with @sessions/store-redis on ioredis.
import { sessions } from '@sessions/express';
import { createRedisStore } from '@sessions/store-redis';
import express from 'express';
import { Redis } from 'ioredis';

// Express has no generic for what middleware adds to `req`: declare the session data once.
declare module '@sessions/core' {
  interface Register {
    sessionData: { views: number };
  }
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});

const app = express();
app.set('trust proxy', 1);
app.use(
  sessions({
    store: createRedisStore(redis, { prefix: 'myapp:sess:' }),
    secrets: [process.env.SESSION_SECRET ?? ''], // 32+ bytes; prepend a new one to rotate
    // HttpOnly, Secure, SameSite=Lax and Path=/ are the defaults.
    cookie: { name: 'sid' },
    expiry: { idle: '1d', absolute: '7d' },
  }),
);

app.get('/', async (req, res) => {
  const views = ((await req.session.get('views')) ?? 0) + 1;
  await req.session.set('views', views);
  res.send(`${views} views`);
});

app.post('/login', async (req, res) => {
  // New ID, user bound, `views` carried over; the old ID is dead once this resolves.
  await req.session.signIn('ada', { keep: ['views'] });
  res.redirect(303, '/');
});

app.post('/logout', async (req, res) => {
  await req.session.destroy(); // deletes the record and sends the deletion cookie
  res.redirect(303, '/');
});

app.listen(3000);
