import { type SessionContext, sessions } from '@sessions/koa';
import Koa, { type DefaultState } from 'koa';
import { PORT, ready, SECRET } from './common.js';
import { oursStore } from './ours-store.js';

type Data = { views: number };
const app = new Koa<DefaultState, SessionContext<Data>>();
app.use(sessions<Data>({ store: await oursStore(), secrets: [SECRET] }));
app.use(async (ctx) => {
  if (ctx.path === '/write') {
    const views = ((await ctx.session.get('views')) ?? 0) + 1;
    await ctx.session.set('views', views);
    ctx.body = `views ${views}`;
  } else if (ctx.path === '/read') ctx.body = `views ${(await ctx.session.get('views')) ?? 0}`;
  else if (ctx.path === '/untouched') ctx.body = 'hello';
});
app.listen(PORT, '127.0.0.1', ready);
