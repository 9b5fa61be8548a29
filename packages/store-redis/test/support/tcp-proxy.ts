import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a Redis this test owns, to reproduce what a flaky network does to
 * ioredis: a command reaches Redis and runs, its reply is lost with the connection, and ioredis
 * re-sends the command once it has reconnected.
 */
export interface TcpProxy {
  readonly port: number;
  /**
   * Once a client sends data containing `needle` (e.g. a script's SHA), the next reply chunk from
   * Redis on that connection is dropped and the connection is closed.
   */
  dropReplyTo(needle: string): void;
  /** New connections wait (their data buffered) until {@link TcpProxy.release}. */
  hold(): void;
  /** Lets held connections through. */
  release(): void;
  /** How many connections had a reply dropped so far. */
  readonly drops: number;
  /** How many times `needle` has been sent towards Redis. */
  sent(needle: string): number;
  close(): Promise<void>;
}

/** Starts a proxy on a free port forwarding to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let sentLog = '';
  let dropNeedle: string | undefined;
  let held = false;
  let drops = 0;
  const waiting: (() => void)[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((downstream) => {
    sockets.add(downstream);
    const buffered: Buffer[] = [];
    let upstream: Socket | undefined;
    let dropArmed = false;
    const closeBoth = () => {
      downstream.destroy();
      upstream?.destroy();
    };
    const open = () => {
      if (downstream.destroyed) return;
      const socket = connect(targetPort, '127.0.0.1');
      upstream = socket;
      sockets.add(socket);
      socket.on('data', (chunk) => {
        if (dropArmed) {
          dropArmed = false;
          drops++;
          closeBoth();
          return;
        }
        downstream.write(chunk);
      });
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
      for (const chunk of buffered.splice(0)) socket.write(chunk);
    };
    downstream.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      sentLog += text;
      if (dropNeedle !== undefined && text.includes(dropNeedle)) {
        dropNeedle = undefined;
        dropArmed = true;
      }
      if (upstream === undefined) buffered.push(chunk);
      else upstream.write(chunk);
    });
    downstream.on('error', closeBoth);
    downstream.on('close', closeBoth);
    if (held) waiting.push(open);
    else open();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    dropReplyTo(needle) {
      dropNeedle = needle;
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const open of waiting.splice(0)) open();
    },
    get drops() {
      return drops;
    },
    sent(needle) {
      return sentLog.split(needle).length - 1;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
