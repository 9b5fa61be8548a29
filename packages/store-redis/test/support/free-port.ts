import { createServer } from 'node:net';

/** True when nothing listens on `port` at 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that is free on 127.0.0.1, and (for Redis Cluster nodes, whose bus listens on
 * `port + 10000`) optionally its bus port too. Random in 20000-44999 so parallel test files rarely
 * race for the same one.
 */
export async function findFreePort(
  options: { readonly withBusPort?: boolean } = {},
): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (!(await isFree(port))) continue;
    if (options.withBusPort === true && !(await isFree(port + 10_000))) continue;
    return port;
  }
  throw new Error('no free port found');
}
