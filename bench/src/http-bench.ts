/**
 * HTTP benchmark (issue 9): each framework bare, with our adapter (memory store) and with its peer
 * session library, under wrk. Each server is its own process pinned to core 1 (`taskset -c 1`); wrk
 * is pinned to core 0 (`taskset -c 0 wrk -t1 -c50 -d10s`) with a Lua script that presents the
 * returning visitor's cookie, obtained by a first request. Reports req/s, p50/p99, server RSS and
 * the ratio to the bare figure of the same run. Needs Debian's `wrk` (`apt-get install -y wrk`).
 *
 * Environment: BENCH_FRAMEWORKS (default hono,fastify,koa), BENCH_DURATION (default 10s),
 * BENCH_WARMUP (default 3s), BENCH_CONNECTIONS (default 50).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './machine.js';

const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? 'hono,fastify,koa').split(',');
const DURATION = process.env.BENCH_DURATION ?? '10s';
const WARMUP = process.env.BENCH_WARMUP ?? '3s';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '50';
const PORT = 3900;
const LUA = fileURLToPath(new URL('./returning-visitor.lua', import.meta.url));

const VARIANTS = [
  { id: 'bare', label: 'bare' },
  { id: 'ours', label: '@sessions (memory)' },
  { id: 'peer', label: 'peer' },
] as const;
const PEERS: Record<string, string> = {
  hono: 'hono-sessions (MemoryStore)',
  fastify: '@fastify/session (MemoryStore) + @fastify/cookie',
  koa: 'koa-session (cookie mode, signed)',
};
const SCENARIOS = [
  { id: 'write', label: 'returning visitor changes a key', path: '/write' },
  { id: 'read', label: 'returning visitor reads only', path: '/read' },
  { id: 'untouched', label: 'untouched', path: '/untouched' },
] as const;

interface Result {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly rssMiB: number;
}

function startServer(framework: string, variant: string): Promise<ChildProcess> {
  const file = fileURLToPath(new URL(`./servers/${framework}-${variant}.ts`, import.meta.url));
  const child = fork(file, [], {
    env: { ...process.env, PORT: String(PORT), NODE_ENV: 'production' },
    execPath: 'taskset',
    execArgv: ['-c', '1', process.execPath, '--import', 'tsx', '--conditions=@sessions/source'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${framework}-${variant} exited (${code})`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The returning visitor: one request that writes, and the cookie pairs it set. */
async function firstVisit(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${PORT}/write`);
  await response.text();
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

function wrk(path: string, cookie: string, duration: string): Omit<Result, 'rssMiB'> {
  const output = execFileSync(
    'taskset',
    [
      '-c',
      '0',
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${duration}`,
      '-s',
      LUA,
      `http://127.0.0.1:${PORT}${path}`,
    ],
    { encoding: 'utf8', env: { ...process.env, COOKIE: cookie } },
  );
  const line = output.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${output}`);
  const json = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    errors: number;
  };
  return {
    reqPerSec: json.requests / (json.duration_us / 1e6),
    p50Ms: json.p50_us / 1000,
    p99Ms: json.p99_us / 1000,
    errors: json.errors,
  };
}

const results = new Map<string, Result>();
for (const framework of FRAMEWORKS) {
  for (const variant of VARIANTS) {
    const child = await startServer(framework, variant.id);
    try {
      const cookie = await firstVisit();
      if (variant.id !== 'bare' && cookie === '')
        throw new Error(`${framework}-${variant.id}: no cookie`);
      for (const scenario of SCENARIOS) {
        wrk(scenario.path, cookie, WARMUP);
        const result = {
          ...wrk(scenario.path, cookie, DURATION),
          rssMiB: rssMiB(child.pid as number),
        };
        results.set(`${framework}/${variant.id}/${scenario.id}`, result);
        console.error(
          `${framework} ${variant.id} ${scenario.id}: ${Math.round(result.reqPerSec)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors}`,
        );
      }
    } finally {
      await stopServer(child);
    }
  }
}

const lines = [
  `## HTTP benchmark\n`,
  `${machineFacts()}; server pinned to core 1, \`taskset -c 0 wrk -t1 -c${CONNECTIONS} -d${DURATION}\` on core 0 (after a ${WARMUP} warm-up), one run.\n`,
];
for (const framework of FRAMEWORKS) {
  lines.push(
    `### ${framework[0]?.toUpperCase()}${framework.slice(1)} (peer: ${PEERS[framework]})\n`,
  );
  lines.push(
    '| Scenario | Variant | req/s | ratio to bare | p50 (ms) | p99 (ms) | server RSS (MiB) | errors |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of SCENARIOS) {
    const bare = results.get(`${framework}/bare/${scenario.id}`);
    for (const variant of VARIANTS) {
      const r = results.get(`${framework}/${variant.id}/${scenario.id}`);
      if (!r) continue;
      const ratio = bare ? `${((r.reqPerSec / bare.reqPerSec) * 100).toFixed(0)}%` : 'n/a';
      lines.push(
        `| ${scenario.label} | ${variant.label} | ${Math.round(r.reqPerSec).toLocaleString('en-US')} | ${ratio} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.rssMiB.toFixed(0)} | ${r.errors} |`,
      );
    }
  }
  lines.push('');
}
console.log(lines.join('\n'));
