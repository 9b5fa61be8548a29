import { platform } from '../platform/bun.js';
import { serveDemo } from './serve.js';

/** The demo through `Bun.serve`, on a free port of 127.0.0.1. */
await serveDemo(platform);
