// After: @sessions/koa with the memory store (swap in @sessions/store-redis or -postgres to share
// sessions between instances).
import { createMemoryStore } from '@sessions/core';
import { sessions } from '@sessions/koa';
import Koa from 'koa';

const app = new Koa();
app.proxy = true; // behind a TLS-terminating proxy, as koa-session's `secure` needed too
app.use(
  sessions({
    store: createMemoryStore(),
    secrets: [process.env.SESSION_SECRET ?? ''], // 32+ bytes; prepend a new one to rotate
    cookie: { name: 'koa.sess' },
    expiry: { idle: '1d', absolute: '7d' },
  }),
);

app.use(async (ctx) => {
  if (ctx.path === '/login' && ctx.method === 'POST') {
    await ctx.session.signIn('ada', { keep: ['views'] });
    ctx.redirect('/');
  } else if (ctx.path === '/logout' && ctx.method === 'POST') {
    await ctx.session.destroy();
    ctx.redirect('/');
  } else if (ctx.path === '/') {
    const views = Number((await ctx.session.get('views')) ?? 0) + 1;
    await ctx.session.set('views', views);
    ctx.body = `${views} views`;
  }
});

app.listen(3000);
