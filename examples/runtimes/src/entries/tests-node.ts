import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { runSuites } from '../harness/run-suites.js';
import { recordUnhandledError } from '../harness/vitest-shim.js';
import { overHttp } from '../suites/hono-scenarios.js';

/** The test bundle for Node (20 and 24): `node --enable-source-maps tests-node.mjs`. */
process.on('unhandledRejection', recordUnhandledError);
process.on('uncaughtException', recordUnhandledError);

const report = await runSuites({
  bundle: 'node',
  runtime: `node ${process.version}`,
  servers: {
    '@hono/node-server': async (app) => {
      let server: ReturnType<typeof serve> | undefined;
      const port = await new Promise<number>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
          resolve(info.port),
        );
      });
      return overHttp(
        `http://127.0.0.1:${port}`,
        () =>
          new Promise<void>((resolve, reject) =>
            server?.close((error) => (error ? reject(error) : resolve())),
          ),
      );
    },
  },
  print: (line) => console.log(line),
});
process.exitCode = report.failed + report.errors.length > 0 || report.passed === 0 ? 1 : 0;
