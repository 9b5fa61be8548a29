import type { AdapterScenario } from './scenarios-basics.js';

/**
 * Hostile incoming cookies and IDs, and the outgoing cookies' shape: every variant gets a defined
 * outcome (anonymous, or a clear 400), never a 500, a store query with attacker bytes, or another
 * user's session.
 */
export const hostileInputScenarios: readonly AdapterScenario[] = [];
