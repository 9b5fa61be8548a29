import { runSuitesOn } from '../harness/run-suites.js';
import { platform } from '../platform/node.js';

/** The test bundle for Node (20 and 24): `node --enable-source-maps tests-node.mjs`. */
await runSuitesOn(platform);
