/**
 * The long fault run: every scenario with longer phases, printed as markdown.
 *
 *   pnpm --filter @sessions/fault-suite faults
 *   DURATION=30 CLIENTS=16 SCENARIOS=redis,layered pnpm --filter @sessions/fault-suite faults
 *
 * DURATION: seconds of the before, fault and after phases each (default 20). CLIENTS: concurrent
 * keep-alive clients (default 16). SCENARIOS: which to run (default redis,redis-aof,postgres,postgres-capped,layered).
 * Exits 1 when a scenario broke a promise (see `violations` in scenario.ts).
 */
import { cpus, loadavg } from 'node:os';
import { postgresAvailable, redisServerAvailable } from './env.js';
import { phaseTable } from './report.js';
import { runScenario, violations } from './scenario.js';
import { scenarios } from './scenarios/index.js';

const seconds = Number(process.env.DURATION ?? 20);
const clients = Number(process.env.CLIENTS ?? 16);
const wanted = (process.env.SCENARIOS ?? 'redis,redis-aof,postgres,postgres-capped,layered')
  .split(',')
  .map((s) => s.trim());
if (!(seconds > 0) || !(clients > 0)) throw new Error('DURATION and CLIENTS must be positive');

const timing = {
  clients,
  beforeMs: seconds * 1_000,
  faultMs: seconds * 1_000,
  afterMs: seconds * 1_000,
  recoveryTimeoutMs: 60_000,
};

const print = (line = '') => console.log(line);

print('# Fault suite: long run');
print();
print(
  `${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ` +
    `${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')} at start. ${clients} clients, ${seconds} s per phase (before, fault, after); ` +
    'each client: 60% reads, 30% writes, 10% requests that never touch the session, back to back.',
);

let failed = false;
const needed = scenarios.filter((scenario) => wanted.includes(scenario.id));
const haveRedis = needed.some((s) => s.needs.redisServer) ? redisServerAvailable() : false;
const havePostgres = needed.some((s) => s.needs.postgres) ? await postgresAvailable() : false;
for (const scenario of scenarios) {
  if (!wanted.includes(scenario.id)) continue;
  print();
  print(`## ${scenario.title}`);
  print();
  print(scenario.description);
  print();
  if ((scenario.needs.redisServer && !haveRedis) || (scenario.needs.postgres && !havePostgres)) {
    print('Skipped: a service it needs is not available.');
    continue;
  }
  const result = await runScenario(scenario.rig, timing);
  print(phaseTable(result.phases));
  print();
  print(
    `- recovery: ${Number.isNaN(result.recoveryMs) ? 'never' : `${result.recoveryMs.toFixed(0)} ms`} from the end of the fault to the first 200 of a session request` +
      (scenario.id === 'layered' ? ' and the hot layer resuming' : '') +
      (scenario.id.startsWith('postgres') ? ' and every pool connection serving again' : ''),
  );
  for (const note of result.notes) print(`- ${note}`);
  print(
    `- unhandled rejections: ${result.unhandledRejections.length}, uncaught exceptions: ${result.uncaughtExceptions.length}`,
  );
  const broken = violations(result, scenario.expectations(clients));
  if (broken.length === 0) print('- verdict: every promise kept');
  else {
    failed = true;
    print('- verdict: **promises broken**');
    for (const violation of broken) print(`  - ${violation}`);
  }
}
process.exitCode = failed ? 1 : 0;
