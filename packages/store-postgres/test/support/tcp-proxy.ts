import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP proxy in front of Postgres that a test can break: stop forwarding (a network partition:
 * connections stay open, nothing arrives) or cut every connection (a dropped link).
 */
export interface TcpProxy {
  /** Port to connect to (on 127.0.0.1). */
  readonly port: number;
  /** Stops forwarding in both directions; bytes sent meanwhile are lost. */
  blackhole(): void;
  /** Forwards again (new connections work; blackholed ones stay broken). */
  heal(): void;
  /** Destroys every open connection, as a dropped link or a restarted server would. */
  cutAll(): void;
  /** Stops listening: new connections are refused; open ones stay as they are. */
  refuseNew(): Promise<void>;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let forwarding = true;

  const server: Server = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => {
      if (forwarding) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (forwarding) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    blackhole() {
      forwarding = false;
    },
    heal() {
      forwarding = true;
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    refuseNew() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        // close() waits for open connections; the listening socket is already gone.
        setImmediate(resolve);
      });
    },
    get connections() {
      return sockets.size / 2;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
