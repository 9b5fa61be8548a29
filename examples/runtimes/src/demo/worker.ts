import { createDemo } from './app.js';

/** The demo as a Worker module, served by `workerd serve` (see workerd/config.capnp). */
export default createDemo(`workerd (${navigator.userAgent})`);
