import type { PhaseStats } from './load.js';

/** Nearest-rank percentile (`q` in 0..1) of `values`, or NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The figures of one phase, as reported. */
export interface PhaseFigures {
  readonly phase: string;
  readonly seconds: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly ok: number;
  readonly unavailable: number;
  readonly otherStatus: number;
  readonly connectionErrors: number;
  readonly unanswered: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** p99 of the typed 503s alone: how long a request waits to learn the store is down. */
  readonly unavailableP99: number;
  readonly sessionsLost: number;
  readonly anomalies: number;
}

export function figuresOf(stats: PhaseStats): PhaseFigures {
  const seconds = Math.max(0.001, (stats.endedAt - stats.startedAt) / 1_000);
  return {
    phase: stats.name,
    seconds,
    requests: stats.requests,
    perSecond: stats.requests / seconds,
    ok: stats.ok,
    unavailable: stats.unavailable,
    otherStatus: stats.otherStatus,
    connectionErrors: stats.connectionErrors,
    unanswered: stats.unanswered,
    p50: percentile(stats.latencies, 0.5),
    p99: percentile(stats.latencies, 0.99),
    max: percentile(stats.latencies, 1),
    unavailableP99: percentile(stats.unavailableLatencies, 0.99),
    sessionsLost: stats.sessionsLost,
    anomalies: stats.anomalies.length,
  };
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(value < 10 ? 1 : 0));

/** A markdown table with one row per phase. */
export function phaseTable(phases: readonly PhaseStats[]): string {
  const header =
    '| phase | s | requests | req/s | 200 | 503 STORE_UNAVAILABLE | other status | conn. errors | unanswered | p50 ms | p99 ms | max ms | 503 p99 ms | sessions lost | anomalies |';
  const rule = `|${' --- |'.repeat(15)}`;
  const rows = phases
    .map(figuresOf)
    .map((f) =>
      [
        f.phase,
        f.seconds.toFixed(1),
        f.requests,
        f.perSecond.toFixed(0),
        f.ok,
        f.unavailable,
        f.otherStatus,
        f.connectionErrors,
        f.unanswered,
        ms(f.p50),
        ms(f.p99),
        ms(f.max),
        ms(f.unavailableP99),
        f.sessionsLost,
        f.anomalies,
      ].join(' | '),
    );
  return [header, rule, ...rows.map((row) => `| ${row} |`)].join('\n');
}
