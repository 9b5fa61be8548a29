import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { PORT, ready } from './common.js';

let views = 0;
const app = new Hono();
app.get('/write', (c) => c.text(`views ${++views}`));
app.get('/read', (c) => c.text(`views ${views}`));
app.get('/untouched', (c) => c.text('hello'));
serve({ fetch: app.fetch, port: PORT }, ready);
