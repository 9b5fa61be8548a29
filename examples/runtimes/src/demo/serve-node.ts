import { platform } from '../platform/node.js';
import { serveDemo } from './serve.js';

/** The demo through `@hono/node-server`, on a free port of 127.0.0.1. */
await serveDemo(platform);
