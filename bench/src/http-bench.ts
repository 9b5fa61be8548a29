/**
 * HTTP benchmark (issue 9). For every framework (Hono, Fastify, Koa, Express), in one run and
 * interleaved: the framework bare, with our adapter over the memory, Redis and layered (memory hot
 * over Redis cold) stores, and the framework's peer session library with its memory and Redis
 * stores. Four scenarios: a returning visitor whose request changes a key, one whose request only
 * reads, a new visitor on every request, and a request that never touches the session.
 *
 * Each server is its own process pinned to core 1 (`taskset -c 1`); wrk is pinned to core 0
 * (`taskset -c 0 wrk -t1 -c50`). BENCH_REPEATS rounds; in each round, each framework's variants are
 * started side by side (one port each), checked by a pre-flight (status codes, bodies, cookies),
 * then measured one after the other for each scenario, in an order rotated from round to round, so
 * drift hits every variant alike. Reports medians and spreads of req/s, p50/p99 latency and server
 * RSS, each variant's ratio to its own framework's bare median, the Redis commands per request of
 * every Redis-backed variant (counted with MONITOR), and the issue's targets met or missed.
 *
 * Environment (see bench/README.md): BENCH_FRAMEWORKS, BENCH_VARIANTS, BENCH_SCENARIOS,
 * BENCH_REPEATS, BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_PORT, BENCH_RT_REQUESTS,
 * BENCH_WRITE, BENCH_DOCS, REDIS_URL.
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { machineFacts } from './machine.js';

// ---------------------------------------------------------------------------------------------
// Configuration

type FrameworkId = 'hono' | 'fastify' | 'koa' | 'express';
type VariantId =
  | 'bare'
  | 'ours-memory'
  | 'ours-redis'
  | 'ours-layered'
  | 'peer-memory'
  | 'peer-redis';
type ScenarioId = 'write' | 'read' | 'new' | 'untouched';

const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const FRAMEWORK_IDS = list(process.env.BENCH_FRAMEWORKS, 'hono,fastify,koa,express');
const VARIANT_FILTER = list(
  process.env.BENCH_VARIANTS,
  'bare,ours-memory,ours-redis,ours-layered,peer-memory,peer-redis',
);
const SCENARIO_FILTER = list(process.env.BENCH_SCENARIOS, 'write,read,new,untouched');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const DURATION = process.env.BENCH_DURATION ?? '10s';
const WARMUP = process.env.BENCH_WARMUP ?? '3s';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3900);
/** Sequential requests per scenario for the Redis command count. */
const RT_REQUESTS = Number(process.env.BENCH_RT_REQUESTS ?? 20);
const WRITE = process.env.BENCH_WRITE === '1';
const DOCS =
  process.env.BENCH_DOCS ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LUA = fileURLToPath(new URL('./returning-visitor.lua', import.meta.url));
/** Every Redis key of this run starts with this; removed after each framework's round. */
const RUN_PREFIX = `bench:http:${process.pid}:${Date.now()}:`;

interface Framework {
  readonly id: FrameworkId;
  readonly title: string;
  /** Why there is no @sessions variant, when there is none. */
  readonly noOurs?: string;
  readonly peerMemory: string;
  readonly peerRedis?: string;
  /** Why there is no Redis-backed peer, when there is none. */
  readonly noPeerRedis?: string;
  /** What bounds the server-side state of each variant under new visitors. */
  readonly peerMemoryBound: string;
  readonly peerRedisBound?: string;
}

const FRAMEWORKS: Record<FrameworkId, Framework> = {
  hono: {
    id: 'hono',
    title: 'Hono',
    peerMemory: 'hono-sessions (MemoryStore)',
    noPeerRedis:
      'hono-sessions 0.8.1 ships no Redis store (only MemoryStore, CookieStore and BunSqliteStore)',
    peerMemoryBound: 'unbounded `Map`, entries never expire nor get evicted',
  },
  fastify: {
    id: 'fastify',
    title: 'Fastify',
    peerMemory: '@fastify/session (MemoryStore)',
    peerRedis: '@fastify/session + connect-redis',
    peerMemoryBound: 'unbounded `Map`, entries never expire nor get evicted',
    peerRedisBound: 'Redis keys with a TTL (1 day), no other bound',
  },
  koa: {
    id: 'koa',
    title: 'Koa',
    peerMemory: 'koa-session (cookie mode, signed)',
    peerRedis: 'koa-session + koa-redis',
    peerMemoryBound: 'nothing on the server: the data travels in the cookie',
    peerRedisBound: 'Redis keys with a TTL (1 day), no other bound',
  },
  express: {
    id: 'express',
    title: 'Express',
    peerMemory: 'express-session (MemoryStore)',
    peerRedis: 'express-session + connect-redis',
    peerMemoryBound:
      'unbounded object; an expired entry is dropped only when that session is read again',
    peerRedisBound: 'Redis keys with a TTL (1 day), no other bound',
  },
};

interface Variant {
  readonly id: VariantId;
  /** The server file: `src/servers/<framework>-<server>.ts`. */
  readonly server: 'bare' | 'ours' | 'peer';
  readonly store?: 'memory' | 'redis' | 'layered';
  readonly redis: boolean;
}

const VARIANTS: readonly Variant[] = [
  { id: 'bare', server: 'bare', redis: false },
  { id: 'ours-memory', server: 'ours', store: 'memory', redis: false },
  { id: 'ours-redis', server: 'ours', store: 'redis', redis: true },
  { id: 'ours-layered', server: 'ours', store: 'layered', redis: true },
  { id: 'peer-memory', server: 'peer', store: 'memory', redis: false },
  { id: 'peer-redis', server: 'peer', store: 'redis', redis: true },
];

function label(framework: Framework, variant: VariantId): string {
  switch (variant) {
    case 'bare':
      return 'bare';
    case 'ours-memory':
      return '@sessions (memory)';
    case 'ours-redis':
      return '@sessions (Redis)';
    case 'ours-layered':
      return '@sessions (layered: memory over Redis)';
    case 'peer-memory':
      return framework.peerMemory;
    case 'peer-redis':
      return framework.peerRedis ?? 'Redis-backed peer';
  }
}

function bound(framework: Framework, variant: VariantId): string {
  switch (variant) {
    case 'bare':
      return 'no sessions';
    case 'ours-memory':
      return 'memory store, `maxEntries` 10,000 (LRU eviction)';
    case 'ours-redis':
      return 'Redis keys with a TTL at the session expiry';
    case 'ours-layered':
      return 'hot: memory `maxEntries` 50,000, `hotTtlMs` 10 s; cold: Redis keys with a TTL';
    case 'peer-memory':
      return framework.peerMemoryBound;
    case 'peer-redis':
      return framework.peerRedisBound ?? '';
  }
}

/** Why a variant is missing from a framework, or undefined when it is there. */
function missing(framework: Framework, variant: Variant): string | undefined {
  if (variant.server === 'ours' && framework.noOurs) return framework.noOurs;
  if (variant.id === 'peer-redis' && framework.noPeerRedis) return framework.noPeerRedis;
  return undefined;
}

interface Scenario {
  readonly id: ScenarioId;
  readonly label: string;
  readonly path: string;
  /** Whether wrk presents the returning visitor's cookie. */
  readonly returning: boolean;
}

/** In the order measured: the new visitor last, since it fills the stores. */
const SCENARIOS_RUN: readonly Scenario[] = [
  { id: 'write', label: 'returning visitor changes a key', path: '/write', returning: true },
  { id: 'read', label: 'returning visitor reads only', path: '/read', returning: true },
  { id: 'untouched', label: 'never touches the session', path: '/untouched', returning: true },
  { id: 'new', label: 'new visitor on every request', path: '/write', returning: false },
];
/** In the order reported (the issue's). */
const SCENARIO_ORDER: readonly ScenarioId[] = ['write', 'read', 'new', 'untouched'];
const scenarioOf = (id: ScenarioId) => SCENARIOS_RUN.find((s) => s.id === id) as Scenario;

// ---------------------------------------------------------------------------------------------
// Servers

interface Server {
  readonly framework: Framework;
  readonly variant: Variant;
  readonly name: string;
  readonly port: number;
  readonly prefix: string;
  readonly child: ChildProcess;
  /** The returning visitor's cookie header, set by the pre-flight. */
  cookie: string;
}

const live = new Set<ChildProcess>();
/** What the pre-flight saw besides what it checks, by variant label (for the report). */
const preflightNotes = new Map<string, string>();

function startServer(framework: Framework, variant: Variant, port: number): Promise<Server> {
  const name = `${framework.id}-${variant.id}`;
  const prefix = `${RUN_PREFIX}${name}:`;
  const file = fileURLToPath(
    new URL(`./servers/${framework.id}-${variant.server}.ts`, import.meta.url),
  );
  const child = fork(file, [], {
    env: {
      ...process.env,
      PORT: String(port),
      NODE_ENV: 'production',
      BENCH_STORE: variant.store ?? '',
      BENCH_REDIS_PREFIX: prefix,
      REDIS_URL,
    },
    execPath: 'taskset',
    // Servers load the workspace packages' built `dist` (what users run), not `src` through tsx's
    // transform (which adds a `__name` call to every function created per request).
    execArgv: ['-c', '1', process.execPath, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 30 s`));
    }, 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve({ framework, variant, name, port, prefix, child, cookie: '' });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready`));
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Pre-flight: every scenario answers what it should

/** The cookies a client keeps: name → value, updated from each response's Set-Cookie. */
class Jar {
  readonly #pairs = new Map<string, string>();

  header(): string {
    return [...this.#pairs].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  absorb(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.#pairs.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly setCookies: readonly string[];
}

async function get(port: number, path: string, jar?: Jar): Promise<Answer> {
  const cookie = jar?.header() ?? '';
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: cookie === '' ? {} : { cookie },
  });
  const answer = {
    status: response.status,
    body: await response.text(),
    setCookies: response.headers.getSetCookie(),
  };
  jar?.absorb(answer.setCookies);
  return answer;
}

/** Checks each route of `server`, and sets its returning visitor's cookie. Throws on a mismatch. */
async function preflight(server: Server): Promise<string> {
  const fail = (what: string, answer: Answer): never => {
    throw new Error(
      `${server.name}: pre-flight failed: ${what} (got ${answer.status} ${JSON.stringify(answer.body.slice(0, 80))}, Set-Cookie ${answer.setCookies.length})`,
    );
  };
  const expect = (answer: Answer, body: string | RegExp, what: string) => {
    const ok = typeof body === 'string' ? answer.body === body : body.test(answer.body);
    if (answer.status !== 200 || !ok) fail(what, answer);
    return answer;
  };
  const port = server.port;
  if (server.variant.id === 'bare') {
    expect(await get(port, '/write'), /^views \d+$/, '/write answers views N');
    expect(await get(port, '/read'), /^views \d+$/, '/read answers views N');
    expect(await get(port, '/untouched'), 'hello', '/untouched answers hello');
    return '';
  }
  const notes: string[] = [];
  const jar = new Jar();
  const first = expect(await get(port, '/write', jar), 'views 1', 'first /write: views 1');
  if (first.setCookies.length === 0) fail('first /write sets a cookie', first);
  expect(await get(port, '/write', jar), 'views 2', 'second /write with the cookie: views 2');
  const read = expect(await get(port, '/read', jar), 'views 2', '/read with the cookie: views 2');
  expect(await get(port, '/read', jar), 'views 2', 'a second /read: still views 2');
  const untouched = expect(await get(port, '/untouched', jar), 'hello', '/untouched: hello');
  const fresh = expect(await get(port, '/write'), 'views 1', 'new visitor /write: views 1');
  if (fresh.setCookies.length === 0) fail('new visitor /write sets a cookie', fresh);
  const freshUntouched = expect(await get(port, '/untouched'), 'hello', 'new visitor /untouched');
  if (read.setCookies.length > 0) notes.push('Set-Cookie on a read');
  if (untouched.setCookies.length > 0) notes.push('Set-Cookie on an untouched request');
  if (freshUntouched.setCookies.length > 0)
    notes.push('a new visitor gets a session on /untouched');
  console.error(`${server.name}: pre-flight ok${notes.length ? ` (${notes.join('; ')})` : ''}`);
  if (notes.length > 0) {
    preflightNotes.set(label(server.framework, server.variant.id), notes.join('; '));
  }
  return jar.header();
}

// ---------------------------------------------------------------------------------------------
// Redis: command counts and cleanup

async function redisAdmin(): Promise<Redis | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    console.error(`redis unreachable at ${REDIS_URL}: ${(error as Error).message}`);
    client.disconnect();
    return undefined;
  }
}

async function redisKeys(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

async function deleteKeys(admin: Redis, prefix: string): Promise<number> {
  const keys = await redisKeys(admin, prefix);
  for (let i = 0; i < keys.length; i += 1000) await admin.unlink(...keys.slice(i, i + 1000));
  return keys.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Redis commands per request of `server`, per scenario: RT_REQUESTS sequential requests (after two
 * that are not counted, so caches are in their steady state) while MONITOR counts the commands
 * naming one of the server's keys. Commands run inside a Lua script are not counted: one EVALSHA
 * is one round trip. Sequential requests, so each command is its own round trip.
 */
interface CommandCount {
  /** Commands per request. */
  readonly perRequest: number;
  /** Which, per request: `HGETALL`, `EVALSHA`, `2 GET`... */
  readonly commands: string;
}

async function countCommands(server: Server): Promise<Record<ScenarioId, CommandCount>> {
  // monitor() opens a connection of its own; the base client never connects (lazyConnect).
  const base = new Redis(REDIS_URL, { lazyConnect: true });
  const monitor = await base.monitor();
  const seen = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua' || !args.some((arg) => arg.includes(server.prefix))) return;
    const name = (args[0] ?? '?').toUpperCase();
    seen.set(name, (seen.get(name) ?? 0) + 1);
  });
  const result = {} as Record<ScenarioId, CommandCount>;
  try {
    for (const scenario of SCENARIOS_RUN) {
      const jar = new Jar();
      if (scenario.returning) jar.absorb(server.cookie.split('; '));
      const request = () => get(server.port, scenario.path, scenario.returning ? jar : undefined);
      await request();
      await request();
      await sleep(100);
      seen.clear();
      for (let i = 0; i < RT_REQUESTS; i++) await request();
      await sleep(200);
      const total = [...seen.values()].reduce((sum, n) => sum + n, 0);
      const perName = [...seen].map(([name, n]) => {
        const each = n / RT_REQUESTS;
        return each === 1 ? name : `${Number(each.toFixed(2))} ${name}`;
      });
      result[scenario.id] = {
        perRequest: total / RT_REQUESTS,
        commands: perName.join(' + ') || 'none',
      };
    }
  } finally {
    monitor.disconnect();
    base.disconnect();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// wrk

interface WrkResult {
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** wrk's errors by kind: `connect 0, read 3, ...` (only the kinds that occurred). */
  readonly errorKinds: string;
}

function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(duration);
  if (!match) throw new Error(`bad duration ${duration}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 's'] ?? 1;
  return Number(match[1]) * factor;
}

const execFileAsync = promisify(execFile);

/** Runs wrk (asynchronously, so signals and IPC are handled meanwhile) and parses its summary. */
async function wrk(
  port: number,
  path: string,
  cookie: string,
  duration: string,
): Promise<WrkResult> {
  const { stdout: output } = await execFileAsync(
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
      `http://127.0.0.1:${port}${path}`,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, COOKIE: cookie },
      timeout: (seconds(duration) + 30) * 1000,
    },
  );
  const line = output.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${output}`);
  const json = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    errors: number;
    connect: number;
    read: number;
    write: number;
    status: number;
    timeout: number;
  };
  return {
    requests: json.requests,
    reqPerSec: json.requests / (json.duration_us / 1e6),
    p50Ms: json.p50_us / 1000,
    p99Ms: json.p99_us / 1000,
    errors: json.errors,
    errorKinds: (['connect', 'read', 'write', 'status', 'timeout'] as const)
      .filter((kind) => json[kind] > 0)
      .map((kind) => `${kind} ${json[kind]}`)
      .join(', '),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

interface Sample extends WrkResult {
  /** Requests of the warm-up plus the measured run (new sessions, for the new visitor). */
  readonly totalRequests: number;
  readonly rssBeforeMiB: number;
  readonly rssMiB: number;
}

const key = (framework: FrameworkId, variant: VariantId, scenario: ScenarioId) =>
  `${framework}/${variant}/${scenario}`;
const samples = new Map<string, Sample[]>();
const commandCounts = new Map<string, Record<ScenarioId, CommandCount>>();

function variantsOf(framework: Framework, redis: boolean): Variant[] {
  return VARIANTS.filter(
    (v) => VARIANT_FILTER.includes(v.id) && !missing(framework, v) && (redis || !v.redis),
  );
}

async function runFramework(
  framework: Framework,
  round: number,
  admin: Redis | undefined,
): Promise<void> {
  const all = variantsOf(framework, admin !== undefined);
  const shift = round % all.length;
  const order = [...all.slice(shift), ...all.slice(0, shift)];
  const servers: Server[] = [];
  try {
    for (const [i, variant] of order.entries()) {
      servers.push(await startServer(framework, variant, BASE_PORT + i));
    }
    for (const server of servers) server.cookie = await preflight(server);
    if (round === 0) {
      for (const server of servers.filter((s) => s.variant.redis)) {
        const counts = await countCommands(server);
        commandCounts.set(`${framework.id}/${server.variant.id}`, counts);
        console.error(
          `${server.name}: Redis commands per request: ${SCENARIOS_RUN.map((s) => `${s.id} ${counts[s.id].perRequest.toFixed(2)} (${counts[s.id].commands})`).join(', ')}`,
        );
      }
    }
    for (const scenario of SCENARIOS_RUN.filter((s) => SCENARIO_FILTER.includes(s.id))) {
      for (const server of servers) {
        const pid = server.child.pid as number;
        const cookie = scenario.returning ? server.cookie : '';
        const rssBeforeMiB = rssMiB(pid);
        const warm = await wrk(server.port, scenario.path, cookie, WARMUP);
        const result = await wrk(server.port, scenario.path, cookie, DURATION);
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          throw new Error(`${server.name} died during ${scenario.id}`);
        }
        const sample: Sample = {
          ...result,
          totalRequests: warm.requests + result.requests,
          rssBeforeMiB,
          rssMiB: rssMiB(pid),
        };
        if (result.errors > 0) {
          // What a request answers now: a hint at what the errors were.
          const jar = new Jar();
          if (cookie !== '') jar.absorb(cookie.split('; '));
          const answer = await get(server.port, scenario.path, jar);
          console.error(
            `${server.name} ${scenario.id}: ${result.errors} errors (${result.errorKinds}; status = non-2xx/3xx); one request now answers ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}`,
          );
        }
        const k = key(framework.id, server.variant.id, scenario.id);
        samples.set(k, [...(samples.get(k) ?? []), sample]);
        console.error(
          `round ${round + 1}/${REPEATS} ${server.name} ${scenario.id}: ${Math.round(sample.reqPerSec)} req/s, p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms, RSS ${sample.rssMiB.toFixed(0)} MiB, errors ${sample.errors}`,
        );
      }
    }
  } finally {
    await Promise.all(servers.map((s) => stopServer(s.child)));
    // Servers that started but failed before being listed.
    await Promise.all([...live].map(stopServer));
    if (admin) {
      const removed = await deleteKeys(admin, `${RUN_PREFIX}${framework.id}-`);
      console.error(`${framework.id}: removed ${removed} Redis keys`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and report

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Summary {
  readonly reqPerSec: number;
  readonly min: number;
  readonly max: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssMiB: number;
  readonly rssBeforeMiB: number;
  readonly errors: number;
  /** The kinds of wrk errors seen (connect, read, write, status, timeout). */
  readonly errorKinds: string;
  readonly totalRequests: number;
  readonly runs: number;
}

function summary(framework: FrameworkId, variant: VariantId, scenario: ScenarioId) {
  const list = samples.get(key(framework, variant, scenario));
  if (!list || list.length === 0) return undefined;
  const rps = list.map((s) => s.reqPerSec);
  return {
    reqPerSec: median(rps),
    min: Math.min(...rps),
    max: Math.max(...rps),
    p50Ms: median(list.map((s) => s.p50Ms)),
    p99Ms: median(list.map((s) => s.p99Ms)),
    rssMiB: median(list.map((s) => s.rssMiB)),
    rssBeforeMiB: median(list.map((s) => s.rssBeforeMiB)),
    errors: list.reduce((sum, s) => sum + s.errors, 0),
    errorKinds: [
      ...new Set(list.flatMap((s) => s.errorKinds.split(', ').map((kind) => kind.split(' ')[0]))),
    ]
      .filter((kind) => kind)
      .join(', '),
    totalRequests: median(list.map((s) => s.totalRequests)),
    runs: list.length,
  } satisfies Summary;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

function ratioToBare(framework: FrameworkId, variant: VariantId, scenario: ScenarioId) {
  const bare = summary(framework, 'bare', scenario);
  const mine = summary(framework, variant, scenario);
  return bare && mine ? mine.reqPerSec / bare.reqPerSec : undefined;
}

function frameworkTable(framework: Framework, redis: boolean): string[] {
  const lines = [
    `### ${framework.title}\n`,
    '| Scenario | Variant | req/s (median) | spread (min–max) | ratio to bare | p50 (ms) | p99 (ms) | server RSS (MiB) | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes = new Set<string>();
  for (const scenarioId of SCENARIO_ORDER.filter((id) => SCENARIO_FILTER.includes(id))) {
    const scenario = scenarioOf(scenarioId);
    for (const variant of VARIANTS.filter((v) => VARIANT_FILTER.includes(v.id))) {
      const why =
        missing(framework, variant) ?? (!redis && variant.redis ? 'Redis unreachable' : undefined);
      if (why) {
        if (variant.id === 'ours-redis' || variant.id === 'ours-layered') continue;
        const name =
          variant.id === 'ours-memory' ? '@sessions (any store)' : label(framework, variant.id);
        lines.push(`| ${scenario.label} | ${name} | n/a | | | | | | |`);
        notes.add(`n/a: ${why}.`);
        continue;
      }
      const s = summary(framework.id, variant.id, scenarioId);
      if (!s) continue;
      const ratio = ratioToBare(framework.id, variant.id, scenarioId);
      lines.push(
        `| ${scenario.label} | ${label(framework, variant.id)} | ${int(s.reqPerSec)} | ${int(s.min)}–${int(s.max)} | ${ratio === undefined ? 'n/a' : pct(ratio)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.rssMiB.toFixed(0)} | ${s.errors}${s.errorKinds ? ` (${s.errorKinds})` : ''} |`,
      );
    }
  }
  lines.push('');
  for (const note of notes) lines.push(note);
  if (notes.size > 0) lines.push('');
  return lines;
}

function commandTable(): string[] {
  if (commandCounts.size === 0) return [];
  const lines = [
    '### Redis commands per request\n',
    `Counted with \`MONITOR\` over ${RT_REQUESTS} sequential requests per scenario (after two uncounted ones), keeping only commands that name the variant's own keys; commands run inside a Lua script are not counted (one \`EVALSHA\` is one round trip). Requests are sequential, so every command is one round trip.\n`,
    '| Framework | Variant | changes a key | reads only | new visitor | never touches it |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [k, counts] of commandCounts) {
    const [frameworkId, variantId] = k.split('/') as [FrameworkId, VariantId];
    const framework = FRAMEWORKS[frameworkId];
    lines.push(
      `| ${framework.title} | ${label(framework, variantId)} | ${SCENARIO_ORDER.map((id) => `${counts[id].perRequest.toFixed(2)} (${counts[id].commands})`).join(' | ')} |`,
    );
  }
  lines.push('');
  return lines;
}

function newVisitorTable(frameworks: readonly Framework[]): string[] {
  if (!SCENARIO_FILTER.includes('new')) return [];
  const lines = [
    '### New visitors and server memory\n',
    'Each request of the new-visitor scenario creates a session. Sessions created per run = requests of the warm-up plus the measured run (median over the rounds); RSS sampled just before the warm-up and just after the run (medians).\n',
    '| Framework | Variant | sessions created per run | RSS before → after (MiB) | growth (MiB) | what bounds the server-side state |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const framework of frameworks) {
    for (const variant of VARIANTS) {
      if (variant.id === 'bare') continue;
      const s = summary(framework.id, variant.id, 'new');
      if (!s) continue;
      lines.push(
        `| ${framework.title} | ${label(framework, variant.id)} | ${int(s.totalRequests)} | ${s.rssBeforeMiB.toFixed(0)} → ${s.rssMiB.toFixed(0)} | ${Math.round(s.rssMiB - s.rssBeforeMiB) || 0} | ${bound(framework, variant.id)} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

interface TargetRow {
  readonly target: string;
  readonly framework: string;
  readonly measured: string;
  readonly result: string;
}

function targetRows(frameworks: readonly Framework[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const vsBare = (
    target: string,
    framework: Framework,
    variant: VariantId,
    scenario: ScenarioId,
    threshold: number,
  ) => {
    const ratio = ratioToBare(framework.id, variant, scenario);
    if (ratio === undefined) return;
    const points = Math.round((ratio - threshold) * 100);
    rows.push({
      target,
      framework: framework.title,
      measured: pct(ratio),
      result: points >= 0 ? `met (+${points} points)` : `missed by ${-points} points`,
    });
  };
  for (const framework of frameworks) {
    for (const [variant, name] of [
      ['ours-memory', 'memory'],
      ['ours-redis', 'Redis'],
      ['ours-layered', 'layered'],
    ] as const) {
      vsBare(`Untouched ≥ 95% of bare (${name} store)`, framework, variant, 'untouched', 0.95);
    }
  }
  for (const framework of frameworks) {
    vsBare('Memory: changes a key ≥ 70% of bare', framework, 'ours-memory', 'write', 0.7);
    vsBare('Memory: reads only ≥ 80% of bare', framework, 'ours-memory', 'read', 0.8);
    vsBare('Memory: new visitor ≥ 60% of bare', framework, 'ours-memory', 'new', 0.6);
  }
  for (const framework of frameworks.filter((f) => f.noOurs)) {
    rows.push({
      target: 'every @sessions target',
      framework: framework.title,
      measured: 'n/a',
      result: `${framework.noOurs} (peers measured above)`,
    });
  }
  for (const framework of frameworks) {
    if (
      framework.noPeerRedis &&
      SCENARIO_ORDER.some((id) => summary(framework.id, 'ours-redis', id))
    ) {
      rows.push({
        target: "Redis: ≥ 2× the best Redis-backed peer; p99 no worse than the peers'",
        framework: framework.title,
        measured: 'n/a',
        result: `no Redis-backed peer: ${framework.noPeerRedis}`,
      });
    }
    for (const scenario of SCENARIO_ORDER) {
      const ours = summary(framework.id, 'ours-redis', scenario);
      const peer = summary(framework.id, 'peer-redis', scenario);
      const target = `Redis: ≥ 2× the best Redis-backed peer (${scenarioOf(scenario).label})`;
      if (!ours || !peer) continue;
      const times = ours.reqPerSec / peer.reqPerSec;
      rows.push({
        target,
        framework: framework.title,
        measured: `${times.toFixed(2)}× ${label(framework, 'peer-redis')}`,
        result:
          times >= 2 ? `met (+${(times - 2).toFixed(2)}×)` : `missed by ${(2 - times).toFixed(2)}×`,
      });
    }
    for (const scenario of SCENARIO_ORDER) {
      const ours = summary(framework.id, 'ours-redis', scenario);
      const peer = summary(framework.id, 'peer-redis', scenario);
      if (!ours || !peer) continue;
      const diff = ours.p99Ms - peer.p99Ms;
      rows.push({
        target: `Redis: p99 no worse than the peers' (${scenarioOf(scenario).label})`,
        framework: framework.title,
        measured: `${ours.p99Ms.toFixed(2)} ms vs ${peer.p99Ms.toFixed(2)} ms`,
        result:
          diff <= 0 ? `met (${(-diff).toFixed(2)} ms better)` : `missed by ${diff.toFixed(2)} ms`,
      });
    }
    const counts = commandCounts.get(`${framework.id}/ours-redis`);
    if (counts) {
      rows.push({
        target: 'Redis: exactly 1 round trip for a read',
        framework: framework.title,
        measured: counts.read.perRequest.toFixed(2),
        result:
          counts.read.perRequest === 1
            ? `met (${counts.read.commands})`
            : `missed by ${(counts.read.perRequest - 1).toFixed(2)}`,
      });
      rows.push({
        target: 'Redis: 2 round trips (or 1) for a change',
        framework: framework.title,
        measured: counts.write.perRequest.toFixed(2),
        result:
          counts.write.perRequest === 1 || counts.write.perRequest === 2
            ? `met (${counts.write.commands})`
            : counts.write.perRequest > 2
              ? `missed by ${(counts.write.perRequest - 2).toFixed(2)}`
              : 'not met: not a whole number of round trips',
      });
    }
  }
  return rows;
}

function report(frameworks: readonly Framework[], redis: boolean, started: Date): string {
  const elapsed = Math.max(1, Math.round((Date.now() - started.getTime()) / 60_000));
  const lines = [
    '## HTTP benchmark\n',
    `${machineFacts()}. \`pnpm --filter @sessions/bench bench:http\`: ${REPEATS} round${REPEATS === 1 ? '' : 's'}, each server pinned to core 1, \`taskset -c 0 wrk -t1 -c${CONNECTIONS} -d${DURATION}\` on core 0 after a ${WARMUP} warm-up, variants interleaved (every variant of a framework measured one after the other for each scenario, in an order rotated each round); about ${elapsed} min in all. Redis ${redis ? 'on the same machine (loopback), not pinned' : 'unreachable: Redis-backed variants not measured'}.\n`,
    'req/s is the median over the rounds, with the spread (min–max); ratio to bare = median req/s of the variant / median req/s of the same framework bare in the same scenario, same run; p50, p99 and RSS (after the run) are medians; errors are summed over the rounds (wrk: connect, read, write, timeout and non-2xx/3xx).\n',
  ];
  for (const framework of frameworks) lines.push(...frameworkTable(framework, redis));
  lines.push(...commandTable());
  lines.push(...newVisitorTable(frameworks));
  const rows = targetRows(frameworks);
  if (rows.length > 0) {
    lines.push('### Against the targets\n');
    lines.push('| Target | Framework | Measured | Result |');
    lines.push('| --- | --- | ---: | --- |');
    for (const row of rows) {
      lines.push(`| ${row.target} | ${row.framework} | ${row.measured} | ${row.result} |`);
    }
    lines.push('');
  }
  lines.push(
    '### How it is measured\n',
    '- Routes: `/write` reads `views` and sets it to `views + 1`; `/read` reads `views`; `/untouched` never touches the session. A returning visitor is one cookie, obtained by the pre-flight, presented on every request by all connections; a new visitor is `/write` with no cookie, so every request creates a session.',
    "- Every server is its own process (`src/servers/<framework>-<bare|ours|peer>.ts`, store chosen by `BENCH_STORE`), started with `taskset -c 1`; all variants of one framework run side by side on their own ports during that framework's round and are stopped after it (fresh processes each round). Before measuring, a pre-flight checks every route of every variant: statuses, bodies (`/write` increments, `/read` reads, `/untouched` answers) and cookies (a first visit and a new visitor get a Set-Cookie).",
    '- Stores: ours with core\'s memory store (default `maxEntries` 10,000), `@sessions/store-redis` over ioredis 6, and `@sessions/store-layered` with a memory hot store (`maxEntries` 50,000, `hotTtlMs` 10 s) over the Redis store (the "memory over Redis" setup of its README). Peers: hono-sessions with its `MemoryStore` (unsealed ID, its fastest mode); @fastify/session behind @fastify/cookie with its default `MemoryStore` and with connect-redis 9 (an express-session store, which @fastify/session accepts); koa-session in its default signed cookie mode (koa-session has no memory store: the data travels in the cookie, and wrk keeps presenting the cookie of the pre-flight) and with koa-redis 4 as its external store; express-session (`resave` and `saveUninitialized` off) with its `MemoryStore` and with connect-redis 9 over node-redis 5.',
    "- Every Redis key of the run is under a unique prefix (one per variant), removed after each framework's round.",
  );
  if (preflightNotes.size > 0) {
    lines.push(
      `- Seen by the pre-flight: ${[...preflightNotes].map(([name, note]) => `${name}: ${note.toLowerCase()}`).join('. ')}.`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function writeDocs(section: string): void {
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf('\n## HTTP benchmark');
  let next: string;
  if (start < 0) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const end = text.indexOf('\n## ', start + 1);
    next = `${text.slice(0, start + 1)}${section}${end < 0 ? '' : `\n${text.slice(end + 1)}`}`;
  }
  writeFileSync(DOCS, next);
  console.error(`wrote the HTTP section of ${DOCS}`);
}

// ---------------------------------------------------------------------------------------------

async function emergencyStop(signal: NodeJS.Signals): Promise<void> {
  console.error(`${signal}: stopping servers and removing Redis keys`);
  await Promise.all([...live].map(stopServer));
  const admin = await redisAdmin();
  if (admin) {
    await deleteKeys(admin, RUN_PREFIX);
    admin.disconnect();
  }
  process.exit(130);
}
process.once('SIGINT', emergencyStop);
process.once('SIGTERM', emergencyStop);

const started = new Date();
const frameworks = FRAMEWORK_IDS.map((id) => {
  const framework = FRAMEWORKS[id as FrameworkId];
  if (!framework) throw new Error(`unknown framework ${id} (known: ${Object.keys(FRAMEWORKS)})`);
  return framework;
});
const admin = await redisAdmin();
try {
  for (let round = 0; round < REPEATS; round++) {
    for (const framework of frameworks) await runFramework(framework, round, admin);
  }
} finally {
  await Promise.all([...live].map(stopServer));
  if (admin) {
    const left = await redisKeys(admin, RUN_PREFIX);
    if (left.length > 0) await deleteKeys(admin, RUN_PREFIX);
    console.error(`Redis keys left under ${RUN_PREFIX}: ${left.length}`);
    admin.disconnect();
  }
  console.error(`server processes still running: ${live.size}`);
}

const section = report(frameworks, admin !== undefined, started);
console.log(section);
if (WRITE) writeDocs(section);
