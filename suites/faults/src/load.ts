import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export type RequestKind = 'read' | 'write' | 'untouched';

/** Counts and latencies of the requests that started in one phase of a run. */
export interface PhaseStats {
  readonly name: string;
  /** `performance.now()` when the phase began and ended. */
  startedAt: number;
  endedAt: number;
  requests: number;
  /** 200 */
  ok: number;
  /** 503 whose body is `STORE_UNAVAILABLE` (the typed store outage). */
  unavailable: number;
  /** Any other status, including a 503 with another body. */
  otherStatus: number;
  /** The HTTP request failed (reset, refused): the app server itself misbehaved. */
  connectionErrors: number;
  /** No answer within the client's timeout (a hang). */
  unanswered: number;
  /** `/untouched` requests that did not get a 200 (they never touch the store). */
  untouchedFailures: number;
  /** Requests by kind. */
  readonly byKind: Record<RequestKind, number>;
  /** Latency of every request, in ms. */
  readonly latencies: number[];
  /** Latency of the typed 503s, in ms. */
  readonly unavailableLatencies: number[];
  /** A session read as absent where the scenario allows it (Redis restarted empty). */
  sessionsLost: number;
  /** Consistency violations: lost sessions where none may be lost, stale or wrong values. */
  readonly anomalies: string[];
  /** The first few unexpected responses and errors, for the report. */
  readonly samples: string[];
}

export interface LoadOptions {
  /** Base URL of the app (see `app.ts`). */
  readonly url: string;
  /** Concurrent clients, each with its own keep-alive connection and session. */
  readonly clients: number;
  /**
   * Whether a session reading as absent is expected right now (a Redis that restarted empty).
   * Default: never, so any lost session is an anomaly.
   */
  readonly sessionsMayBeLost?: () => boolean;
  /** A request unanswered for this long counts as `unanswered`. Default 60 s. */
  readonly requestTimeoutMs?: number;
}

export interface Load {
  /** The phase new requests are counted in. */
  readonly phase: string;
  /** Creates every client's session (`POST /write`, which must answer 200), outside any phase. */
  seed(): Promise<void>;
  /** Starts every client's request loop, counting requests in `phase`. */
  start(phase: string): void;
  /**
   * Requests starting from now on are counted in `phase`; with `claimInFlight`, so are those in
   * flight right now (a fault phase claims the requests the fault cuts off).
   */
  setPhase(phase: string, options?: { readonly claimInFlight?: boolean }): void;
  /** Resolves when a request touching the session, started at or after `since`, answers 200. */
  successSince(since: number): Promise<void>;
  /** Stops the loops once their in-flight requests are answered; returns every phase's stats. */
  stop(): Promise<PhaseStats[]>;
}

const SESSION_COOKIE = 'sid';

/** Per client, 10 requests: 6 reads, 3 writes, 1 that never touches the session. */
const MIX: readonly RequestKind[] = [
  'read',
  'write',
  'read',
  'read',
  'write',
  'read',
  'untouched',
  'read',
  'write',
  'read',
];

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly setCookie: readonly string[];
}

type HttpResult = HttpAnswer | { readonly error: string; readonly timedOut: boolean };

function send(
  agent: Agent,
  base: URL,
  kind: RequestKind,
  cookie: string | undefined,
  timeoutMs: number,
): Promise<HttpResult> {
  return new Promise((resolve) => {
    let timedOut = false;
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: kind === 'write' ? 'POST' : 'GET',
        path: `/${kind}`,
        headers: cookie === undefined ? {} : { cookie },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ error: String(error), timedOut }));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookie: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    req.on('error', (error) => resolve({ error: String(error), timedOut }));
    req.end();
  });
}

/** The session cookie a response sets: its `name=value` pair, `null` when cleared, else undefined. */
function sessionCookieFrom(setCookie: readonly string[]): string | null | undefined {
  let found: string | null | undefined;
  for (const line of setCookie) {
    const pair = line.split(';')[0] ?? '';
    const equals = pair.indexOf('=');
    if (pair.slice(0, equals).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(equals + 1).trim();
    const cleared = value === '' || /;\s*max-age=0(?:;|$)/i.test(line);
    found = cleared ? null : `${SESSION_COOKIE}=${value}`;
  }
  return found;
}

function counterFrom(body: string): number | null | undefined {
  try {
    const parsed = JSON.parse(body) as { n?: unknown };
    if (parsed.n === null || typeof parsed.n === 'number') return parsed.n;
  } catch {
    // reported by the caller
  }
  return undefined;
}

function newPhase(name: string): PhaseStats {
  const now = performance.now();
  return {
    name,
    startedAt: now,
    endedAt: now,
    requests: 0,
    ok: 0,
    unavailable: 0,
    otherStatus: 0,
    connectionErrors: 0,
    unanswered: 0,
    untouchedFailures: 0,
    byKind: { read: 0, write: 0, untouched: 0 },
    latencies: [],
    unavailableLatencies: [],
    sessionsLost: 0,
    anomalies: [],
    samples: [],
  };
}

function sample(stats: PhaseStats, text: string): void {
  if (stats.samples.length < 8) stats.samples.push(text);
}

/**
 * N clients, each with its own keep-alive connection and session cookie, issuing requests back to
 * back (the mix above) until stopped. Every answer is counted in the phase its request started in,
 * and checked against what the client knows about its own counter: a read must return the last
 * value written (or a later one, when a failed write may have been applied: a store timeout means
 * "unknown", not "not applied"), and a session must never read as absent unless the scenario says
 * sessions may be lost.
 */
export function createLoad(options: LoadOptions): Load {
  const base = new URL(options.url);
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const mayLose = options.sessionsMayBeLost ?? (() => false);
  const phases: PhaseStats[] = [];
  let current: PhaseStats | undefined;
  let stopping = false;
  let loops: Promise<void>[] = [];
  const waiters: { since: number; resolve: () => void }[] = [];
  /** The phase each in-flight request will be counted in. */
  const inFlight = new Set<{ stats: PhaseStats }>();

  interface Client {
    readonly id: number;
    readonly agent: Agent;
    cookie: string | undefined;
    /** The counter's last known value (0: no session). */
    value: number;
    /** Failed writes since then, each of which may have been applied. */
    pending: number;
    next: number;
  }

  const clients: Client[] = Array.from({ length: options.clients }, (_, id) => ({
    id,
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
    cookie: undefined,
    value: 0,
    pending: 0,
    next: Math.floor(Math.random() * MIX.length),
  }));

  function lost(client: Client, stats: PhaseStats, what: string): void {
    if (mayLose()) stats.sessionsLost++;
    else stats.anomalies.push(`client ${client.id}: ${what} (the session was lost)`);
    client.value = 0;
    client.pending = 0;
  }

  /** Checks a 200 from /read or /write against the client's counter. */
  function check(client: Client, stats: PhaseStats, kind: RequestKind, answer: HttpAnswer): void {
    const n = counterFrom(answer.body);
    const cookie = sessionCookieFrom(answer.setCookie);
    const previousCookie = client.cookie;
    if (cookie !== undefined) client.cookie = cookie ?? undefined;
    if (n === undefined) {
      stats.anomalies.push(`client ${client.id}: ${kind} answered 200 with ${answer.body}`);
      return;
    }
    const low = client.value + (kind === 'write' ? 1 : 0);
    const high = low + client.pending;
    if (n === null) {
      if (kind === 'write' || client.value > 0 || client.pending > 0) {
        lost(client, stats, `${kind} read no session, expected n in ${low}..${high}`);
      }
      return;
    }
    if (
      kind === 'write' &&
      n === 1 &&
      low > 1 &&
      cookie != null &&
      previousCookie !== undefined &&
      cookie !== previousCookie
    ) {
      // The write found no session and created a new one.
      lost(client, stats, `write created a new session, expected n in ${low}..${high}`);
      client.value = 1;
      return;
    }
    if (n < low || n > high) {
      stats.anomalies.push(
        `client ${client.id}: ${kind} returned n=${n}, expected ${low}..${high}`,
      );
    }
    client.value = n;
    client.pending = 0;
  }

  async function one(client: Client, kind: RequestKind): Promise<void> {
    if (current === undefined) throw new Error('no phase');
    const counted = { stats: current };
    inFlight.add(counted);
    const started = performance.now();
    const result = await send(client.agent, base, kind, client.cookie, timeoutMs);
    const ms = performance.now() - started;
    inFlight.delete(counted);
    const stats = counted.stats;
    stats.requests++;
    stats.byKind[kind]++;
    stats.latencies.push(ms);
    if ('error' in result) {
      if (result.timedOut) stats.unanswered++;
      else stats.connectionErrors++;
      sample(stats, `${kind}: ${result.error}`);
      if (kind === 'untouched') stats.untouchedFailures++;
      if (kind === 'write') client.pending++;
      return;
    }
    if (result.status === 200) {
      stats.ok++;
      if (kind !== 'untouched') {
        check(client, stats, kind, result);
        for (let i = waiters.length - 1; i >= 0; i--) {
          const waiter = waiters[i];
          if (waiter !== undefined && started >= waiter.since) {
            waiters.splice(i, 1);
            waiter.resolve();
          }
        }
      }
      return;
    }
    if (kind === 'untouched') stats.untouchedFailures++;
    if (kind === 'write') client.pending++;
    if (result.status === 503 && result.body.trim() === 'STORE_UNAVAILABLE') {
      stats.unavailable++;
      stats.unavailableLatencies.push(ms);
      if (sessionCookieFrom(result.setCookie) !== undefined) {
        stats.anomalies.push(`client ${client.id}: a 503 carried a session cookie`);
      }
      return;
    }
    stats.otherStatus++;
    sample(stats, `${kind}: ${result.status} ${result.body.slice(0, 200)}`);
  }

  async function loop(client: Client): Promise<void> {
    while (!stopping) {
      const kind = MIX[client.next % MIX.length] ?? 'read';
      client.next++;
      await one(client, kind);
    }
  }

  function setPhase(name: string, options: { readonly claimInFlight?: boolean } = {}): void {
    const now = performance.now();
    if (current !== undefined) current.endedAt = now;
    let next = phases.find((phase) => phase.name === name);
    if (next === undefined) {
      next = newPhase(name);
      phases.push(next);
    }
    current = next;
    if (options.claimInFlight === true) for (const counted of inFlight) counted.stats = next;
  }

  return {
    get phase() {
      return current?.name ?? '';
    },
    async seed() {
      setPhase('seed');
      await Promise.all(clients.map((client) => one(client, 'write')));
      const seeded = phases.find((phase) => phase.name === 'seed');
      if (seeded === undefined || seeded.ok !== clients.length || clients.some((c) => !c.cookie)) {
        throw new Error(`seeding sessions failed: ${JSON.stringify(seeded?.samples)}`);
      }
      phases.splice(phases.indexOf(seeded), 1);
      current = undefined;
    },
    start(phase) {
      setPhase(phase);
      loops = clients.map((client) => loop(client));
    },
    setPhase,
    successSince(since) {
      return new Promise((resolve) => waiters.push({ since, resolve }));
    },
    async stop() {
      stopping = true;
      await Promise.all(loops);
      if (current !== undefined) current.endedAt = performance.now();
      for (const client of clients) client.agent.destroy();
      return phases;
    },
  };
}
