import { describeAdapterConformance } from '../src/index.js';
import { webScenarioApp } from './support/web-driver.js';

// The reference "adapter" (core's withSession) on the default store: a memory store on the
// scenarios' manual clock, so every scenario runs.
describeAdapterConformance({ name: 'web (withSession)', createApp: webScenarioApp });
