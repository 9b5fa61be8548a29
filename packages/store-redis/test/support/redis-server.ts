import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.js';

/** A `redis-server` process this test owns, on 127.0.0.1. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Its working directory (removed by `stop`). */
  readonly dir: string;
  /** Starts it again on the same port (after `kill`), waiting until it answers PING. */
  start(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void;
  /** Thaws a paused process (SIGCONT). */
  resume(): void;
  /** Kills it and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Whether the `redis-server` binary can be run here. */
export function redisServerInstalled(): boolean {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return result.status === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when the server at `port` answers `PING` with `+PONG`. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Waits until `port` answers PING, failing after `timeoutMs` or when `exited()` turns true. */
export async function waitForPing(
  port: number,
  timeoutMs = 10_000,
  exited: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = exited();
    if (reason !== undefined) throw new Error(`redis-server on ${port} exited: ${reason}`);
    if (await pings(port)) return;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not answer PING within ${timeoutMs} ms`);
}

/**
 * Starts `redis-server` on a free port (or `options.port`) with no persistence, in a fresh
 * temporary directory, plus `options.args`. Waits until it answers PING.
 */
export async function startRedisServer(
  options: {
    readonly port?: number;
    readonly args?: readonly string[];
    readonly dir?: string;
  } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await findFreePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sessions-redis-')));
  let child: ChildProcess | undefined;
  let exitReason: string | undefined;
  let output = '';

  async function start(): Promise<void> {
    exitReason = undefined;
    output = '';
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...(options.args ?? []),
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('exit', (code, signal) => {
      exitReason = `code ${code}, signal ${signal}\n${output}`;
      if (child === proc) child = undefined;
    });
    proc.once('error', (error) => {
      exitReason = String(error);
    });
    await waitForPing(port, 10_000, () => exitReason);
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = child;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    if (signal !== 'SIGKILL') proc.kill('SIGCONT');
    proc.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    start,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async stop() {
      await kill('SIGKILL');
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
