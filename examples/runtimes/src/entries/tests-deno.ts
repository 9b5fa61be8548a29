import { runSuites } from '../harness/run-suites.js';
import { recordUnhandledError } from '../harness/vitest-shim.js';
import { overHttp } from '../suites/hono-scenarios.js';

/** The test bundle for Deno: `deno run --allow-net=127.0.0.1 tests-deno.mjs`. */
globalThis.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  recordUnhandledError(event.reason);
});
globalThis.addEventListener('error', (event) => {
  event.preventDefault();
  recordUnhandledError(event.error);
});

const report = await runSuites({
  bundle: 'deno',
  runtime: `deno ${Deno.version.deno}`,
  servers: {
    'Deno.serve': async (app) => {
      const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, app.fetch);
      return overHttp(`http://127.0.0.1:${server.addr.port}`, () => server.shutdown());
    },
  },
  print: (line) => console.log(line),
});
Deno.exit(report.failed + report.errors.length > 0 || report.passed === 0 ? 1 : 0);
