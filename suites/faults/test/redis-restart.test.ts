import { describe, expect, it } from 'vitest';
import { redisServerAvailable } from '../src/env.js';
import { phaseTable } from '../src/report.js';
import { runScenario, violations } from '../src/scenario.js';
import { scenarios } from '../src/scenarios/index.js';
import { SHORT_RUN } from './short-run.js';

const scenario = scenarios.find((s) => s.id === 'redis');

describe.skipIf(!redisServerAvailable())('faults under load: Redis killed and restarted', () => {
  it('answers 200 or a typed 503 while Redis is down, then recovers; no crash, no unhandled rejection', async () => {
    if (scenario === undefined) throw new Error('no redis scenario');
    const result = await runScenario(scenario.rig, SHORT_RUN);
    const table = phaseTable(result.phases);
    expect(violations(result, scenario.expectations(SHORT_RUN.clients)), table).toEqual([]);
    // Spelled out: the outage was seen as typed 503s only, and service came back by itself with
    // every old cookie reading as no session (the server kept nothing) and new sessions working.
    const { fault, after } = result.figures;
    expect(fault?.unavailable, table).toBeGreaterThan(0);
    expect((fault?.ok ?? 0) + (fault?.unavailable ?? 0), table).toBe(fault?.requests);
    expect(after?.ok, table).toBe(after?.requests);
    expect(result.unhandledRejections).toEqual([]);
    expect(result.uncaughtExceptions).toEqual([]);
  });
});
