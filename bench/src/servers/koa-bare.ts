import Koa from 'koa';
import { PORT, ready } from './common.js';

let views = 0;
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/write') ctx.body = `views ${++views}`;
  else if (ctx.path === '/read') ctx.body = `views ${views}`;
  else if (ctx.path === '/untouched') ctx.body = 'hello';
});
app.listen(PORT, '127.0.0.1', ready);
