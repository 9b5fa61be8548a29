import type { Expectations, PhaseRef, Rig } from '../scenario.js';
import { layeredHotLossRig, layeredHotLossScenario } from './layered-hot-loss.js';
import { postgresTerminateRig, postgresTerminateScenario } from './postgres-terminate.js';
import { redisAofRestartScenario, redisRestartRig, redisRestartScenario } from './redis-restart.js';

/** A margin for "every request is answered", far above any deadline: it only catches hangs. */
export const HANG_MARGIN_MS = 10_000;

export interface ScenarioDefinition {
  readonly id: 'redis' | 'redis-aof' | 'postgres' | 'postgres-capped' | 'layered';
  readonly title: string;
  readonly description: string;
  readonly needs: { readonly redisServer: boolean; readonly postgres: boolean };
  readonly rig: (phase: PhaseRef) => Promise<Rig>;
  readonly expectations: (clients: number) => Expectations;
}

export const scenarios: readonly ScenarioDefinition[] = [
  {
    id: 'redis',
    ...redisRestartScenario,
    needs: { redisServer: true, postgres: false },
    rig: () => redisRestartRig(),
    expectations: (clients) => ({
      unavailableDuringFault: true,
      faultMustBite: true,
      // Every client's session dies with the server's memory; each client notices it once.
      sessionsLost: clients,
      // A request makes at most two store calls (load, then a write or touch) of 1 s each.
      answeredWithinMs: 2 * 1_000 + HANG_MARGIN_MS,
    }),
  },
  {
    id: 'redis-aof',
    ...redisAofRestartScenario,
    needs: { redisServer: true, postgres: false },
    rig: () => redisRestartRig('aof'),
    expectations: () => ({
      unavailableDuringFault: true,
      faultMustBite: true,
      answeredWithinMs: 2 * 1_000 + HANG_MARGIN_MS,
    }),
  },
  {
    id: 'postgres',
    ...postgresTerminateScenario,
    needs: { redisServer: false, postgres: true },
    rig: () => postgresTerminateRig(),
    expectations: () => ({
      unavailableDuringFault: true,
      faultMustBite: false,
      answeredWithinMs: 2 * 2_000 + HANG_MARGIN_MS,
    }),
  },
  {
    id: 'postgres-capped',
    title: 'Postgres backends terminated (capped reconnect backoff)',
    description:
      'The same, with postgres.js `backoff` capped at 1 s (`CAPPED_BACKOFF` in ' +
      'src/scenarios/clients.ts) instead of its default, which grows to 10-20 s.',
    needs: { redisServer: false, postgres: true },
    rig: () => postgresTerminateRig({ backoff: 'capped' }),
    expectations: () => ({
      unavailableDuringFault: true,
      faultMustBite: false,
      answeredWithinMs: 2 * 2_000 + HANG_MARGIN_MS,
    }),
  },
  {
    id: 'layered',
    ...layeredHotLossScenario,
    needs: { redisServer: true, postgres: true },
    rig: (phase) => layeredHotLossRig(phase),
    expectations: () => ({
      // Hot down degrades to cold: not a single 503.
      unavailableDuringFault: false,
      faultMustBite: false,
      // Two calls of (hot 250 ms + cold 2 s + hot removal 250 ms) at most.
      answeredWithinMs: 2 * 2_500 + HANG_MARGIN_MS,
    }),
  },
];
