import { describe, expect, it } from 'vitest';
import { postgresAvailable } from '../src/env.js';
import { phaseTable } from '../src/report.js';
import { runScenario, violations } from '../src/scenario.js';
import { scenarios } from '../src/scenarios/index.js';
import { SHORT_RUN } from './short-run.js';

// The capped reconnect backoff keeps recovery short; the long run also measures the default one.
const scenario = scenarios.find((s) => s.id === 'postgres-capped');

describe.skipIf(!(await postgresAvailable()))(
  'faults under load: Postgres backends terminated',
  () => {
    it('answers 200 or a typed 503 while backends are terminated, loses no session, then the whole pool serves again', async () => {
      if (scenario === undefined) throw new Error('no postgres-capped scenario');
      const result = await runScenario(scenario.rig, SHORT_RUN);
      const table = `${phaseTable(result.phases)}\n${result.notes.join('\n')}`;
      expect(violations(result, scenario.expectations(SHORT_RUN.clients)), table).toEqual([]);
      const { fault, after } = result.figures;
      expect((fault?.ok ?? 0) + (fault?.unavailable ?? 0), table).toBe(fault?.requests);
      expect(after?.ok, table).toBe(after?.requests);
      expect(table).not.toMatch(/store backends terminated: 0\b/);
    });
  },
);
