import { performance } from 'node:perf_hooks';
import type { SessionStore } from '@sessions/core';
import { type AppServer, startApp } from './app.js';
import { sleep } from './env.js';
import { createLoad, type Load, type PhaseStats } from './load.js';
import { watchProcess } from './process-watch.js';
import { figuresOf, type PhaseFigures } from './report.js';

/** The phases of every scenario, in order. */
export type Phase = 'before' | 'fault' | 'recovery' | 'after';

/** The phase requests are being counted in, for rigs that keep per-phase counters. */
export interface PhaseRef {
  name: string;
}

/** A store under test and the fault it suffers. */
export interface Rig {
  readonly store: SessionStore;
  /** Whether a session may read as absent now (a Redis restarted without persistence). */
  readonly sessionsMayBeLost?: () => boolean;
  /** Injects the fault (at the start of the `fault` phase). */
  startFault(): Promise<void>;
  /** Ends it (at the start of the `recovery` phase): resolves once the service is back. */
  endFault(): Promise<void>;
  /** Resolves once the rig's own recovery signal arrived (e.g. the hot layer resumed). */
  readonly recovered?: () => Promise<void>;
  /** Facts for the report: faults injected, events seen, per-phase store counters. */
  notes(phases: readonly PhaseStats[]): string[];
  /** Stops servers, drops schemas, closes clients. */
  dispose(): Promise<void>;
}

export interface ScenarioTiming {
  /** Concurrent clients. */
  readonly clients: number;
  readonly beforeMs: number;
  readonly faultMs: number;
  /** How long the `after` phase runs once recovered. */
  readonly afterMs: number;
  /** Give up waiting for recovery after this long (the scenario then reports it as failed). */
  readonly recoveryTimeoutMs: number;
}

export interface ScenarioResult {
  readonly phases: readonly PhaseStats[];
  readonly figures: Readonly<Partial<Record<Phase, PhaseFigures>>>;
  /** From the service being back to the first 200 (and the rig's signal); NaN if it never came. */
  readonly recoveryMs: number;
  readonly unhandledRejections: readonly unknown[];
  readonly uncaughtExceptions: readonly unknown[];
  readonly notes: readonly string[];
}

/** After recovery, let in-flight requests of the recovery phase drain before `after` starts. */
const SETTLE_MS = 250;

/**
 * Runs the app over `rig.store` under load: `before` (healthy), `fault` (from the fault's
 * injection), `recovery` (from the end of the fault until a session request succeeds again and the
 * rig says it recovered), `after` (healthy again). Each request counts in the phase it started in,
 * except that the fault phase also claims the requests in flight when the fault is injected.
 */
export async function runScenario(
  makeRig: (phase: PhaseRef) => Promise<Rig>,
  timing: ScenarioTiming,
): Promise<ScenarioResult> {
  const watch = watchProcess();
  const phaseRef: PhaseRef = { name: 'seed' };
  let rig: Rig | undefined;
  let app: AppServer | undefined;
  let load: Load | undefined;
  let phases: readonly PhaseStats[] = [];
  let recoveryMs = Number.NaN;
  try {
    rig = await makeRig(phaseRef);
    app = await startApp(rig.store);
    const running = createLoad({
      url: app.url,
      clients: timing.clients,
      ...(rig.sessionsMayBeLost === undefined ? {} : { sessionsMayBeLost: rig.sessionsMayBeLost }),
    });
    load = running;
    await running.seed();
    const enter = (phase: Phase) => {
      phaseRef.name = phase;
      // The requests the fault cuts off count in the fault phase, however early they started.
      running.setPhase(phase, { claimInFlight: phase === 'fault' });
    };

    phaseRef.name = 'before';
    running.start('before');
    await sleep(timing.beforeMs);

    enter('fault');
    await rig.startFault();
    await sleep(timing.faultMs);

    enter('recovery');
    await rig.endFault();
    const back = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const recovered = await Promise.race([
      Promise.all([running.successSince(back), rig.recovered?.()]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timing.recoveryTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (recovered) recoveryMs = performance.now() - back;
    await sleep(SETTLE_MS);

    enter('after');
    await sleep(timing.afterMs);
    phases = await running.stop();
    load = undefined;
    // Late outcomes of abandoned store calls surface after their deadlines: give them time.
    await sleep(500);
    return {
      phases,
      figures: Object.fromEntries(phases.map((stats) => [stats.name, figuresOf(stats)])),
      recoveryMs,
      unhandledRejections: [...watch.unhandledRejections],
      uncaughtExceptions: [...watch.uncaughtExceptions],
      notes: rig.notes(phases),
    };
  } finally {
    await load?.stop();
    await app?.close();
    await rig?.dispose();
    watch.dispose();
  }
}

/** What a scenario promises about each phase. */
export interface Expectations {
  /** Whether typed 503s are allowed while the fault lasts (false: every request must succeed). */
  readonly unavailableDuringFault: boolean;
  /** Whether some typed 503s must be seen during the fault (the fault actually bit). */
  readonly faultMustBite: boolean;
  /** Exactly this many sessions must read as lost (Redis restarted empty); default 0. */
  readonly sessionsLost?: number;
  /** Every request is answered within this long (the store deadlines plus a large margin). */
  readonly answeredWithinMs: number;
}

/**
 * The outcome checks shared by the tests and the long run: an empty list means the scenario kept
 * every promise. Nothing here is a latency target; `answeredWithinMs` only catches hangs.
 */
export function violations(result: ScenarioResult, expect: Expectations): string[] {
  const found: string[] = [];
  const phase = (name: Phase) => result.phases.find((stats) => stats.name === name);
  for (const name of ['before', 'fault', 'recovery', 'after'] as const) {
    const stats = phase(name);
    if (stats === undefined) {
      found.push(`${name}: phase missing`);
      continue;
    }
    const f = figuresOf(stats);
    const where = `${name} phase`;
    if (f.otherStatus > 0)
      found.push(
        `${where}: ${f.otherStatus} answers other than 200/503: ${stats.samples.join(' | ')}`,
      );
    if (f.connectionErrors > 0)
      found.push(`${where}: ${f.connectionErrors} connection errors: ${stats.samples.join(' | ')}`);
    if (f.unanswered > 0) found.push(`${where}: ${f.unanswered} requests unanswered`);
    if (stats.untouchedFailures > 0)
      found.push(
        `${where}: ${stats.untouchedFailures} requests that never touch the session failed`,
      );
    if (f.anomalies > 0) found.push(`${where}: ${stats.anomalies.slice(0, 5).join('; ')}`);
    if (f.max > expect.answeredWithinMs)
      found.push(`${where}: a request took ${f.max.toFixed(0)} ms`);
    const unavailableAllowed =
      (name === 'fault' || name === 'recovery') && expect.unavailableDuringFault;
    if (!unavailableAllowed && f.unavailable > 0)
      found.push(`${where}: ${f.unavailable} typed 503s`);
    if (f.requests === 0) found.push(`${where}: no requests`);
  }
  const fault = phase('fault');
  if (expect.faultMustBite && fault !== undefined && fault.unavailable === 0) {
    found.push('fault phase: no typed 503 at all (did the fault happen?)');
  }
  const lost = result.phases.reduce((sum, stats) => sum + stats.sessionsLost, 0);
  if (lost !== (expect.sessionsLost ?? 0)) {
    found.push(`${lost} sessions read as lost, expected ${expect.sessionsLost ?? 0}`);
  }
  if (Number.isNaN(result.recoveryMs)) found.push('never recovered');
  for (const reason of result.unhandledRejections)
    found.push(`unhandled rejection: ${String(reason)}`);
  for (const error of result.uncaughtExceptions) found.push(`uncaught exception: ${String(error)}`);
  return found;
}
