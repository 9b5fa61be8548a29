import express from 'express';
import { PORT, ready } from './common.js';

let views = 0;
const app = express();
app.get('/write', (_req, res) => {
  res.send(`views ${++views}`);
});
app.get('/read', (_req, res) => {
  res.send(`views ${views}`);
});
app.get('/untouched', (_req, res) => {
  res.send('hello');
});
// Express 5 passes a listen error to the callback instead of emitting it.
app.listen(PORT, '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  ready();
});
