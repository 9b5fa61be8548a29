import type { Platform } from './platform.js';

/** Bun: `bun run --no-install <bundle>.mjs [args]`. */
export const platform: Platform = {
  bundle: 'bun',
  runtime: `bun ${Bun.version}`,
  args: process.argv.slice(2),
  serverName: 'Bun.serve',
  async listen(fetch) {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch });
    return { origin: `http://127.0.0.1:${server.port}`, close: () => server.stop(true) };
  },
  catchUnhandled(record) {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  },
  exit(code) {
    process.exitCode = code;
  },
};
