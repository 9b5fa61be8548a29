// Before: express-session 1.19 with connect-redis 9 on node-redis.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    views?: number;
  }
}

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await redis.connect();

const app = express();
app.set('trust proxy', 1);
app.use(
  session({
    store: new RedisStore({ client: redis, prefix: 'sess:' }),
    secret: [process.env.SESSION_SECRET ?? ''],
    name: 'connect.sid',
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { maxAge: 24 * 60 * 60 * 1000, httpOnly: true, secure: true, sameSite: 'lax' },
  }),
);

app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.send(`${req.session.views} views`);
});

app.post('/login', (req, res, next) => {
  // regenerate() cannot keep data: copy what must survive by hand.
  const views = req.session.views;
  req.session.regenerate((error) => {
    if (error) return next(error);
    req.session.userId = 'ada';
    if (views !== undefined) req.session.views = views;
    req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(303, '/')));
  });
});

app.post('/logout', (req, res, next) => {
  req.session.destroy((error) => {
    if (error) return next(error);
    res.clearCookie('connect.sid');
    res.redirect(303, '/');
  });
});

app.listen(3000);
