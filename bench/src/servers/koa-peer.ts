// koa-session in its default cookie mode (signed), which is also its fastest.
import Koa from 'koa';
import session from 'koa-session';
import { PORT, ready, SECRET } from './common.js';

const app = new Koa();
app.keys = [SECRET];
app.use(session({ maxAge: 86_400_000, signed: true }, app));
app.use(async (ctx) => {
  const data = ctx.session as unknown as { views?: number } | null;
  if (ctx.path === '/write' && data) {
    data.views = (data.views ?? 0) + 1;
    ctx.body = `views ${data.views}`;
  } else if (ctx.path === '/read') ctx.body = `views ${data?.views ?? 0}`;
  else if (ctx.path === '/untouched') ctx.body = 'hello';
});
app.listen(PORT, '127.0.0.1', ready);
