// express-session with its default MemoryStore (BENCH_STORE=memory) or connect-redis 9
// (BENCH_STORE=redis). resave and saveUninitialized off, as its README recommends.
import express from 'express';
import session from 'express-session';
import { MAX_AGE_MS, PORT, ready, SECRET, STORE } from './common.js';
import { connectRedisStore } from './connect-redis-store.js';

declare module 'express-session' {
  interface SessionData {
    views: number;
  }
}

if (STORE !== 'memory' && STORE !== 'redis') throw new Error(`express-session: no ${STORE} store`);

const app = express();
app.use(
  session({
    secret: SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: MAX_AGE_MS },
    ...(STORE === 'redis' ? { store: await connectRedisStore() } : {}),
  }),
);
app.get('/write', (req, res) => {
  const views = (req.session.views ?? 0) + 1;
  req.session.views = views;
  res.send(`views ${views}`);
});
app.get('/read', (req, res) => {
  res.send(`views ${req.session.views ?? 0}`);
});
app.get('/untouched', (_req, res) => {
  res.send('hello');
});
// Express 5 passes a listen error to the callback instead of emitting it.
app.listen(PORT, '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  ready();
});
