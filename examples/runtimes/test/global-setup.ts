import type { TestProject } from 'vitest/node';
import { buildBundles } from './support/bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Core test files in the bundles, relative to packages/core. */
    coreTestFiles: string[];
  }
}

/** Builds every runtime bundle once, before the runtime tests start. */
export default async function setup(project: TestProject): Promise<void> {
  const { coreTestFiles } = await buildBundles();
  project.provide('coreTestFiles', [...coreTestFiles]);
}
