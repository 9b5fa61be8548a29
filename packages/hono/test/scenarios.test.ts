import { msgpackCodec } from '@sessions/codec-msgpack';
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
  // Every scenario again with binary values: the MessagePack codec on the memory store.
  {
    name: 'hono (app.request, msgpack codec)',
    createApp: (options) => inProcess(scenarioApp(options)),
    codec: msgpackCodec,
  },
];
for (const suite of suites) describeAdapterConformance(suite);
