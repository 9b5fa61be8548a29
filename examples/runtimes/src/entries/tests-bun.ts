import { runSuites } from '../harness/run-suites.js';
import { recordUnhandledError } from '../harness/vitest-shim.js';
import { overHttp } from '../suites/hono-scenarios.js';

/** The test bundle for Bun: `bun tests-bun.mjs`. */
process.on('unhandledRejection', recordUnhandledError);
process.on('uncaughtException', recordUnhandledError);

const report = await runSuites({
  bundle: 'bun',
  runtime: `bun ${Bun.version}`,
  servers: {
    'Bun.serve': async (app) => {
      const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
      return overHttp(`http://127.0.0.1:${server.port}`, () => server.stop(true));
    },
  },
  print: (line) => console.log(line),
});
process.exitCode = report.failed + report.errors.length > 0 || report.passed === 0 ? 1 : 0;
