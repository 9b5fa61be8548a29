import { describe, expect, it } from 'vitest';
import { postgresAvailable, redisServerAvailable } from '../src/env.js';
import { phaseTable } from '../src/report.js';
import { runScenario, violations } from '../src/scenario.js';
import { scenarios } from '../src/scenarios/index.js';
import { layeredHotLossRig } from '../src/scenarios/layered-hot-loss.js';
import { SHORT_RUN } from './short-run.js';

const scenario = scenarios.find((s) => s.id === 'layered');
const available = redisServerAvailable() && (await postgresAvailable());

describe.skipIf(!available)('faults under load: the layered store losing its hot Redis', () => {
  it('keeps answering 200 from Postgres while hot is down, never serves a stale copy, and resumes hot', async () => {
    if (scenario === undefined) throw new Error('no layered scenario');
    // A 1 s backoff (default 5 s) so hot is retried within the short run.
    const result = await runScenario(
      (phase) => layeredHotLossRig(phase, { hotBackoffMs: 1_000 }),
      SHORT_RUN,
    );
    const table = `${phaseTable(result.phases)}\n${result.notes.join('\n')}`;
    expect(violations(result, scenario.expectations(SHORT_RUN.clients)), table).toEqual([]);
    for (const phase of ['before', 'fault', 'recovery', 'after'] as const) {
      const figures = result.figures[phase];
      expect(figures?.ok, `${phase}\n${table}`).toBe(figures?.requests);
    }
    expect(result.notes.join('\n'), table).toMatch(/hot-suspended/);
  });
});
