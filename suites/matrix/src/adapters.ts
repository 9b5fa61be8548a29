import type { AdapterConformanceOptions } from '@sessions/testing';
import express from 'express';
import Koa from 'koa';
// The adapters' own scenario-app bindings, shared with their packages' scenarios.test.ts: the
// matrix runs exactly the apps each adapter package tests itself with.
import { scenarioApp as expressScenarioApp } from '../../../packages/express/test/express-driver.js';
import { injectDriver } from '../../../packages/fastify/test/support/drivers.js';
import { createScenarioApp } from '../../../packages/fastify/test/support/scenario-app.js';
import { inProcess } from '../../../packages/hono/test/support/drivers.js';
import {
  scenarioApp as honoScenarioApp,
  quietScenarioErrors,
} from '../../../packages/hono/test/support/scenario-app.js';
import { scenarioApp as koaScenarioApp } from '../../../packages/koa/test/koa-driver.js';

/** One adapter of the matrix: a name and how to build its scenario app. */
export type MatrixAdapter = Pick<AdapterConformanceOptions, 'name' | 'createApp'>;

/**
 * The adapters, each through one driver: Hono in-process (`app.request`), Fastify in-process
 * (`inject`), Koa 3 and Express 5 on a real socket. (Each adapter package runs its other drivers,
 * and its other framework major, itself.)
 */
export const MATRIX_ADAPTERS: readonly MatrixAdapter[] = [
  { name: 'hono (app.request)', createApp: (options) => inProcess(honoScenarioApp(options)) },
  { name: 'fastify (inject)', createApp: (options) => injectDriver(createScenarioApp(options)) },
  { name: 'koa 3 (socket)', createApp: koaScenarioApp(Koa) },
  { name: 'express 5 (socket)', createApp: expressScenarioApp(express) },
];

/** Hides the scenarios' deliberate handler errors from Hono's default error log. */
export { quietScenarioErrors };
