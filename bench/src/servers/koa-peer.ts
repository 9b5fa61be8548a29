// koa-session: in its default cookie mode (BENCH_STORE=memory; signed, the data in the cookie, so
// nothing is kept on the server: koa-session has no memory store), or with koa-redis as its
// external store (BENCH_STORE=redis; koa-redis brings its own ioredis 4). koa-redis has no key
// prefix option, so the session IDs carry it (koa-session's `prefix`).
import Koa from 'koa';
import redisStore from 'koa-redis';
import session from 'koa-session';
import { MAX_AGE_MS, PORT, REDIS_PREFIX, REDIS_URL, ready, SECRET, STORE } from './common.js';

if (STORE !== 'memory' && STORE !== 'redis') throw new Error(`koa-session: no ${STORE} store`);

const app = new Koa();
app.keys = [SECRET];
app.use(
  session(
    {
      maxAge: MAX_AGE_MS,
      signed: true,
      ...(STORE === 'redis' ? { store: redisStore({ url: REDIS_URL }), prefix: REDIS_PREFIX } : {}),
    },
    app,
  ),
);
app.use(async (ctx) => {
  const data = ctx.session as unknown as { views?: number } | null;
  if (ctx.path === '/write' && data) {
    data.views = (data.views ?? 0) + 1;
    ctx.body = `views ${data.views}`;
  } else if (ctx.path === '/read') ctx.body = `views ${data?.views ?? 0}`;
  else if (ctx.path === '/untouched') ctx.body = 'hello';
});
app.listen(PORT, '127.0.0.1', ready);
