import { settingsFromEnv, storeFromEnv } from '@sessions/example-shared';
import { createDemo } from './app.js';

const { port, secret } = settingsFromEnv();
const { name, store } = await storeFromEnv();
createDemo({ store, secret }).listen(port, () => {
  console.log(`@sessions demo (Koa, ${name} store) on http://localhost:${port}`);
});
