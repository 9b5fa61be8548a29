import { sessions } from '@sessions/express';
import express from 'express';
import { PORT, ready, SECRET } from './common.js';
import { oursStore } from './ours-store.js';

const app = express();
app.use(sessions({ store: await oursStore(), secrets: [SECRET] }));
// Express 5 sends an async handler's rejection to its error handler.
app.get('/write', async (req, res) => {
  const views = (((await req.session.get('views')) as number | undefined) ?? 0) + 1;
  await req.session.set('views', views);
  res.send(`views ${views}`);
});
app.get('/read', async (req, res) => {
  res.send(`views ${(await req.session.get('views')) ?? 0}`);
});
app.get('/untouched', (_req, res) => {
  res.send('hello');
});
// Express 5 passes a listen error to the callback instead of emitting it.
app.listen(PORT, '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  ready();
});
