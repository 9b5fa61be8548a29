import { settingsFromEnv, storeFromEnv } from '@sessions/example-shared';
import { createDemo } from './app.js';

const { port, secret } = settingsFromEnv();
const { name, store } = await storeFromEnv();
// Express 5 passes a listen error to the callback instead of emitting it.
createDemo({ store, secret }).listen(port, (error?: Error) => {
  if (error) throw error;
  console.log(`@sessions demo (Express, ${name} store) on http://localhost:${port}`);
});
