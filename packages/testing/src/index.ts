// Adapter scenarios
export type {
  AdapterConformanceOptions,
  AdapterDriver,
  ScenarioStoreOptions,
} from './adapter/adapter-driver.js';
export {
  adapterScenarios,
  describeAdapterConformance,
  scenarioSkipReason,
} from './adapter/describe-adapter-conformance.js';
export type { HeaderLine, RawRequest } from './adapter/raw-request.js';
export type {
  ScenarioAppOptions,
  ScenarioData,
  ScenarioRequest,
  ScenarioResponse,
} from './adapter/scenario-app.js';
export { handleScenario, ScenarioError } from './adapter/scenario-app.js';
export type { ScenarioReply } from './adapter/scenario-client.js';
export { ScenarioClient } from './adapter/scenario-client.js';
export type { ScenarioContext } from './adapter/scenario-context.js';
export {
  createScenarioContext,
  MEMORY_SCENARIO_STORE,
  SCENARIO_SECRET,
} from './adapter/scenario-context.js';
export { type HeldScenarioRequest, holdScenarioRequest } from './adapter/scenario-gates.js';
export type { AdapterScenario } from './adapter/scenarios-basics.js';
export { sessionCookie } from './adapter/scenarios-basics.js';
export { clientBindingScenarios } from './adapter/scenarios-client-binding.js';
export { hostileInputScenarios } from './adapter/scenarios-hostile-input.js';
export { hostileLifecycleScenarios } from './adapter/scenarios-hostile-lifecycle.js';
export { storeMaintenanceScenarios } from './adapter/scenarios-store-maintenance.js';
export { userSessionScenarios } from './adapter/scenarios-user-sessions.js';
export type {
  ConformanceCheck,
  ConformanceCheckFn,
  ConformanceGroup,
} from './conformance-group.js';
export { conformanceGroups } from './conformance-groups.js';
export {
  describeStoreConformance,
  type StoreConformanceOptions,
} from './describe-store-conformance.js';
export {
  binaryValuesGroup,
  checkBinaryLimits,
  checkBinaryPatchIf,
  checkBinaryValuesIsolated,
  checkBinaryValuesRoundTrip,
  checkCodecValues,
  codecValuesGroup,
  HOSTILE_BYTES,
} from './groups/binary-values.js';
export { capabilitiesGroup, checkCapabilityFlags } from './groups/capabilities.js';
export {
  checkParallelCreates,
  checkParallelPatches,
  checkPatchesRacingDestroy,
  checkPatchesWithTouches,
  concurrencyGroup,
} from './groups/concurrency.js';
export {
  checkPatchIfAbsent,
  checkPatchIfApplies,
  checkPatchIfConflictWritesNothing,
  checkPatchIfCounter,
  checkPatchIfExpiredEntryIsAbsent,
  checkPatchIfMissing,
  conditionalPatchGroup,
} from './groups/conditional-patch.js';
export {
  checkCountFollowsWrites,
  checkCountParallelWrites,
  checkCountSkipsExpired,
  checkCountStartsAtZero,
  checkPurgeCountsOnlyExpired,
  checkPurgeKeepsExtended,
  countGroup,
  countOf,
  expectCount,
} from './groups/count.js';
export {
  checkCreateConflict,
  checkCreateOverExpired,
  checkCreateThenLoad,
  checkEmptyRecord,
  checkKeysIndependent,
  checkLoadUnknownKey,
  checkMetaOptionalFields,
  createLoadGroup,
} from './groups/create-load.js';
export {
  checkDeleteExpired,
  checkDeleteExpiredKeepsLive,
  deleteExpiredGroup,
} from './groups/delete-expired.js';
export {
  checkDestroyedStaysDead,
  checkDestroyIdempotent,
  checkDestroyRemoves,
  destroyGroup,
} from './groups/destroy.js';
export {
  checkEngineNoResurrection,
  checkEngineOptimisticCounter,
  checkEngineParallelRequests,
  checkEngineRegenerate,
  checkEngineUserSessions,
  checkEngineValueParity,
  engineGroup,
  PARITY_VALUES,
} from './groups/engine.js';
export {
  checkExpiredInvisible,
  checkExpiredWritesMissing,
  checkPerKeyExpiry,
  expiryGroup,
} from './groups/expiry.js';
export {
  checkCreateInputIsolation,
  checkLoadOutputIsolation,
  checkPatchInputIsolation,
  isolationGroup,
} from './groups/isolation.js';
export {
  checkPatchClear,
  checkPatchExpiresAtMoves,
  checkPatchMetaAbsentKeeps,
  checkPatchMetaReplaces,
  checkPatchMissingDestroyed,
  checkPatchMissingExpired,
  checkPatchMissingUnknown,
  checkPatchRemove,
  checkPatchSet,
  patchGroup,
} from './groups/patch.js';
export {
  checkEngineLimitsUnderConcurrency,
  checkLimitsAllowShrinking,
  checkLimitsBoundPatch,
  checkLimitsBoundRotateAndPatchIf,
  checkLimitsMeasure,
  checkLimitsUnderConcurrency,
  recordLimitsGroup,
} from './groups/record-limits.js';
export {
  checkRotateClearKeepsMeta,
  checkRotateConcurrentPatches,
  checkRotateConflict,
  checkRotateMissingExpired,
  checkRotateMissingSource,
  checkRotateMovesWithPatch,
  checkRotateOverExpiredTarget,
  rotateGroup,
} from './groups/rotate.js';
export {
  checkTouchExtends,
  checkTouchMissing,
  checkTouchMovesExpiryOnly,
  touchGroup,
} from './groups/touch.js';
export {
  checkAwkwardUserIds,
  checkConcurrentSignIns,
  checkDeadRecordsNotListed,
  checkDestroyAll,
  checkDestroyExceptAndOnly,
  checkListingFollowsExtendedExpiry,
  checkListsBoundRecords,
  checkPatchBindsAndRebinds,
  checkPatchWithoutMetaKeepsBinding,
  checkRebindingSurvivesRevocation,
  checkRotateMovesListing,
  userIndexGroup,
} from './groups/user-index.js';
export {
  checkHostileKeys,
  checkHostileValues,
  HOSTILE_KEYS,
  HOSTILE_VALUES,
  valuesGroup,
} from './groups/values.js';
export {
  type ConformanceHarness,
  createConformanceHarness,
  type StoreUnderTest,
} from './harness.js';
export { ManualClock } from './manual-clock.js';
export {
  applied,
  type EntryList,
  entryMap,
  expectAbsent,
  expectSameRecord,
  expectStored,
  fullMeta,
  makePatch,
  makeRecord,
  minimalMeta,
  type PatchSpec,
  type RecordSpec,
  seed,
  userMeta,
} from './records.js';
export { createTestKey } from './test-key.js';
