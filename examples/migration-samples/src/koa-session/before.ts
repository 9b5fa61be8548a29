// Before: koa-session 7 in its default mode (the data in a signed cookie, nothing on the server).
import Koa from 'koa';
import session from 'koa-session';

const app = new Koa();
app.keys = [process.env.SESSION_SECRET ?? ''];
app.use(
  session(
    {
      key: 'koa.sess',
      maxAge: 24 * 60 * 60 * 1000,
      rolling: false,
      renew: true,
      httpOnly: true,
      signed: true,
      secure: true,
      sameSite: 'lax',
    },
    app,
  ),
);

app.use(async (ctx) => {
  const session = ctx.session;
  if (session === null) return;
  if (ctx.path === '/login' && ctx.method === 'POST') {
    session.userId = 'ada';
    ctx.redirect('/');
  } else if (ctx.path === '/logout' && ctx.method === 'POST') {
    ctx.session = null;
    ctx.redirect('/');
  } else if (ctx.path === '/') {
    session.views = Number(session.views ?? 0) + 1;
    ctx.body = `${session.views} views`;
  }
});

app.listen(3000);
