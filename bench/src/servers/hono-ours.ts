import { serve } from '@hono/node-server';
import { type SessionEnv, sessions } from '@sessions/hono';
import { Hono } from 'hono';
import { PORT, ready, SECRET } from './common.js';
import { oursStore } from './ours-store.js';

type Data = { views: number };
const app = new Hono<SessionEnv<Data>>();
app.use(sessions<Data>({ store: await oursStore(), secrets: [SECRET] }));
// c.get('session') as in the hono-sessions server: `c.var` builds a new object on every access.
app.get('/write', async (c) => {
  const session = c.get('session');
  const views = ((await session.get('views')) ?? 0) + 1;
  await session.set('views', views);
  return c.text(`views ${views}`);
});
app.get('/read', async (c) => c.text(`views ${(await c.get('session').get('views')) ?? 0}`));
app.get('/untouched', (c) => c.text('hello'));
serve({ fetch: app.fetch, port: PORT }, ready);
