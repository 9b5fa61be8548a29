import { describeAdapterConformance } from '@sessions/testing';
import { injectDriver, listenDriver } from './support/drivers.js';
import { createScenarioApp } from './support/scenario-app.js';

// Every adapter scenario, once through Fastify's in-process `inject()` and once over a real socket.
describeAdapterConformance({
  name: 'fastify (inject)',
  createApp: (options) => injectDriver(createScenarioApp(options)),
});

describeAdapterConformance({
  name: 'fastify (listening server)',
  createApp: (options) => listenDriver(createScenarioApp(options)),
});
