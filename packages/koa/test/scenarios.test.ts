import { describeAdapterConformance } from '@sessions/testing';
import Koa from 'koa';
import Koa2 from 'koa2';
import { scenarioApp } from './koa-driver.js';

// The same scenario list every adapter passes, on both supported Koa majors.
describeAdapterConformance({ name: 'koa 3', createApp: scenarioApp(Koa) });
describeAdapterConformance({ name: 'koa 2', createApp: scenarioApp(Koa2) });
