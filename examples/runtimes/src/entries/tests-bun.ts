import { runSuitesOn } from '../harness/run-suites.js';
import { platform } from '../platform/bun.js';

/** The test bundle for Bun: `bun run --no-install tests-bun.mjs`. */
await runSuitesOn(platform);
