import { runSuites } from '../harness/run-suites.js';
import type { RunReport } from '../harness/vitest-shim.js';
import { recordUnhandledError } from '../harness/vitest-shim.js';

/**
 * The test bundle for workerd: a Worker whose fetch handler runs every suite once and answers
 * with the report as JSON (`{ report, output }`). workerd cannot listen from JavaScript, so the
 * adapter scenarios run in process only here; the demo worker covers workerd's own HTTP server.
 */
addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  recordUnhandledError(event.reason);
});

let result: Promise<{ report: RunReport; output: string[] }> | undefined;

async function run(): Promise<{ report: RunReport; output: string[] }> {
  const output: string[] = [];
  const report = await runSuites({
    bundle: 'workerd',
    runtime: `workerd (${navigator.userAgent})`,
    servers: {},
    print: (line) => output.push(line),
  });
  return { report, output };
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== '/run')
      return new Response('not found\n', { status: 404 });
    // Module state (the collected tests) exists once per isolate: run once, answer every caller.
    result ??= run();
    return Response.json(await result);
  },
};
