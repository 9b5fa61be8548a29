import type { Platform } from './platform.js';

/** Deno: `deno run --no-config ... --allow-net=... <bundle>.mjs [args]`. */
export const platform: Platform = {
  bundle: 'deno',
  runtime: `deno ${Deno.version.deno}`,
  args: Deno.args,
  serverName: 'Deno.serve',
  async listen(fetch) {
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, fetch);
    return { origin: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
  },
  catchUnhandled(record) {
    globalThis.addEventListener('unhandledrejection', (event) => {
      event.preventDefault();
      record(event.reason);
    });
    globalThis.addEventListener('error', (event) => {
      event.preventDefault();
      record(event.error);
    });
  },
  exit(code) {
    Deno.exit(code);
  },
};
