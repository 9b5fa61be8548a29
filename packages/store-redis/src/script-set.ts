import {
  createCountedScript,
  createIndexedCountedScript,
  createIndexedScript,
  createScript,
} from './lua/create-script.js';
import { destroyCountedScript, destroyScript } from './lua/destroy-script.js';
import {
  patchIfCountedScript,
  patchIfIndexedCountedScript,
  patchIfIndexedScript,
  patchIfScript,
} from './lua/patch-if-script.js';
import {
  patchCountedScript,
  patchIndexedCountedScript,
  patchIndexedScript,
  patchScript,
} from './lua/patch-script.js';
import { revokeCountedScript, revokeScript } from './lua/revoke-script.js';
import {
  rotateCountedScript,
  rotateIndexedCountedScript,
  rotateIndexedScript,
  rotateScript,
} from './lua/rotate-script.js';
import { touchCountedScript, touchScript } from './lua/touch-script.js';
import type { RedisScript } from './run-script.js';

/** The record scripts a store runs; `…Indexed` also add the record to its user's index. */
export interface ScriptSet {
  readonly create: RedisScript;
  readonly createIndexed: RedisScript;
  readonly patch: RedisScript;
  readonly patchIndexed: RedisScript;
  readonly patchIf: RedisScript;
  readonly patchIfIndexed: RedisScript;
  readonly touch: RedisScript;
  readonly rotate: RedisScript;
  readonly rotateIndexed: RedisScript;
  readonly destroy: RedisScript;
  readonly revoke: RedisScript;
}

/** Cluster: the plain scripts, which touch one slot each. */
const CLUSTER_SCRIPTS: ScriptSet = {
  create: createScript,
  createIndexed: createIndexedScript,
  patch: patchScript,
  patchIndexed: patchIndexedScript,
  patchIf: patchIfScript,
  patchIfIndexed: patchIfIndexedScript,
  touch: touchScript,
  rotate: rotateScript,
  rotateIndexed: rotateIndexedScript,
  destroy: destroyScript,
  revoke: revokeScript,
};

/**
 * Standalone: the counted variants, which also keep the live index (see `live-index.ts`) and take
 * its key last. Same round trips as the plain ones: the index is kept inside the same script.
 */
const STANDALONE_SCRIPTS: ScriptSet = {
  create: createCountedScript,
  createIndexed: createIndexedCountedScript,
  patch: patchCountedScript,
  patchIndexed: patchIndexedCountedScript,
  patchIf: patchIfCountedScript,
  patchIfIndexed: patchIfIndexedCountedScript,
  touch: touchCountedScript,
  rotate: rotateCountedScript,
  rotateIndexed: rotateIndexedCountedScript,
  destroy: destroyCountedScript,
  revoke: revokeCountedScript,
};

/** The scripts for a Cluster client or a standalone one. */
export function scriptSetFor(isCluster: boolean): ScriptSet {
  return isCluster ? CLUSTER_SCRIPTS : STANDALONE_SCRIPTS;
}
