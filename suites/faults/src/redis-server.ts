import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER_BIN, sleep } from './env.js';

/** A `redis-server` process this suite owns, on 127.0.0.1 and a port of its own. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the process (SIGKILL: no shutdown save, connections reset) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory, resolving once it answers PING. */
  restart(): Promise<void>;
  /** Kills it and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * `'none'` (default): no RDB, no AOF, so a restart comes back empty. `'aof'`: append-only file
   * fsynced on every write, so a SIGKILLed server comes back with every acknowledged write.
   */
  readonly persistence?: 'none' | 'aof';
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below Linux's ephemeral range (32768+), so that while the server is down no
 * outgoing connection can be handed its port and block the restart.
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 21_000 + Math.floor(Math.random() * 11_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port found for redis-server');
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts a throwaway `redis-server` in a fresh temporary directory. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sessions-faults-redis-'));
  const persistence =
    options.persistence === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    let exited: string | undefined;
    let output = '';
    const proc = spawn(
      REDIS_SERVER_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
    });
    proc.once('error', (error) => {
      exited = String(error);
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (exited !== undefined)
        throw new Error(`redis-server on ${port} exited: ${exited}\n${output}`);
      if (await pings(port)) return;
      await sleep(25);
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server on ${port} did not answer PING within 15 s\n${output}`);
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
