import { describeAdapterConformance, type ScenarioStoreOptions } from '@sessions/testing';
import { beforeAll } from 'vitest';
import { MATRIX_ADAPTERS, quietScenarioErrors } from './adapters.js';

/** Registers every adapter scenario on every matrix adapter, on `store` (named `storeName`). */
export function describeMatrix(storeName: string, store: ScenarioStoreOptions): void {
  beforeAll(quietScenarioErrors);
  for (const adapter of MATRIX_ADAPTERS) {
    describeAdapterConformance({ ...adapter, name: `${adapter.name} × ${storeName}`, store });
  }
}
