import { type AdapterConformanceOptions, describeAdapterConformance } from '@sessions/testing';
import { beforeAll } from 'vitest';
import { inProcess, overNodeServer } from './support/drivers.js';
import { quietScenarioErrors, scenarioApp } from './support/scenario-app.js';

beforeAll(quietScenarioErrors);

const suites: AdapterConformanceOptions[] = [
  { name: 'hono (app.request)', createApp: (options) => inProcess(scenarioApp(options)) },
  {
    name: 'hono (@hono/node-server)',
    createApp: (options) => overNodeServer(scenarioApp(options)),
  },
];
for (const suite of suites) describeAdapterConformance(suite);
