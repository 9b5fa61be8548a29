import { runSuitesOn } from '../harness/run-suites.js';
import { platform } from '../platform/deno.js';

/** The test bundle for Deno: `deno run --allow-net=127.0.0.1 tests-deno.mjs`. */
await runSuitesOn(platform);
