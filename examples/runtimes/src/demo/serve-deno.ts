import { platform } from '../platform/deno.js';
import { serveDemo } from './serve.js';

/** The demo through `Deno.serve`, on a free port of 127.0.0.1. */
await serveDemo(platform);
