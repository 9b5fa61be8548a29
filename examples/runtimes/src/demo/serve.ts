import type { Platform } from '../platform/platform.js';
import { createDemo } from './app.js';

/** Serves the demo (on the memory store) with the runtime's own server, on 127.0.0.1. */
export async function serveDemo(platform: Platform): Promise<void> {
  const { origin } = await platform.listen(createDemo(platform.runtime).fetch);
  console.log(`listening on ${origin}`);
}
