import type { ConformanceGroup } from './conformance-group.js';
import { binaryValuesGroup, codecValuesGroup } from './groups/binary-values.js';
import { capabilitiesGroup } from './groups/capabilities.js';
import { concurrencyGroup } from './groups/concurrency.js';
import { conditionalPatchGroup } from './groups/conditional-patch.js';
import { countGroup } from './groups/count.js';
import { createLoadGroup } from './groups/create-load.js';
import { deleteExpiredGroup } from './groups/delete-expired.js';
import { destroyGroup } from './groups/destroy.js';
import { engineGroup } from './groups/engine.js';
import { expiryGroup } from './groups/expiry.js';
import { isolationGroup } from './groups/isolation.js';
import { patchGroup } from './groups/patch.js';
import { recordLimitsGroup } from './groups/record-limits.js';
import { rotateGroup } from './groups/rotate.js';
import { touchGroup } from './groups/touch.js';
import { userIndexGroup } from './groups/user-index.js';
import { valuesGroup } from './groups/values.js';

/** Every group `describeStoreConformance` runs, in order. */
export const conformanceGroups: readonly ConformanceGroup[] = [
  capabilitiesGroup,
  createLoadGroup,
  patchGroup,
  touchGroup,
  rotateGroup,
  destroyGroup,
  expiryGroup,
  concurrencyGroup,
  valuesGroup,
  binaryValuesGroup,
  codecValuesGroup,
  isolationGroup,
  deleteExpiredGroup,
  countGroup,
  userIndexGroup,
  conditionalPatchGroup,
  recordLimitsGroup,
  engineGroup,
];
