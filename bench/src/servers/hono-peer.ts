// hono-sessions with its MemoryStore (the session ID in the cookie, not sealed): its fastest mode.
// hono-sessions 0.8.1 ships MemoryStore, CookieStore and BunSqliteStore only: no Redis store, so
// there is no Redis-backed Hono peer (BENCH_STORE=redis is refused).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { MemoryStore, type Session, sessionMiddleware } from 'hono-sessions';
import { PORT, ready, STORE } from './common.js';

if (STORE !== 'memory') throw new Error(`hono-sessions has no ${STORE} store`);

type Data = { views: number };
const app = new Hono<{ Variables: { session: Session<Data>; session_key_rotation: boolean } }>();
app.use(
  sessionMiddleware({
    store: new MemoryStore(),
    expireAfterSeconds: 86_400,
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'Lax' },
  }),
);
app.get('/write', (c) => {
  const session = c.get('session');
  const views = (session.get('views') ?? 0) + 1;
  session.set('views', views);
  return c.text(`views ${views}`);
});
app.get('/read', (c) => c.text(`views ${c.get('session').get('views') ?? 0}`));
app.get('/untouched', (c) => c.text('hello'));
serve({ fetch: app.fetch, port: PORT }, ready);
