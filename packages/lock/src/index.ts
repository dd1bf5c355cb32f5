export { LockError, LockErrorCode } from './errors.js';
export {
  LOCK_PAYLOAD_TYPE,
  LOCK_SCHEMA,
  LOCK_SCHEMA_V1,
  type LockSchema,
  type LockedAgent,
  type LockedManifest,
  type LockedMcpServer,
  type LockedModel,
  type LockedResolution,
  type LockedTool,
  type Lockfile,
} from './lock-schema.js';
export { createLock, type CreateLockOptions } from './create-lock.js';
export { normalizeLock } from './validate-lock.js';
export { parseLock, serializeLock } from './serialize-lock.js';
export { lockPathFor } from './lock-path.js';
export { isEnvelopeBytes, signLock, verifyLock, type VerifiedLock } from './sign-lock.js';
export {
  MAX_LOCK_BYTES,
  parseLockFile,
  readLockFile,
  writeLockFile,
  type LockFileContents,
  type ReadLockFileOptions,
} from './lock-file-io.js';
export {
  assertLockMatches,
  checkLock,
  driftError,
  runtimeVersionChange,
  type LockDrift,
  type LockDriftKind,
  type RuntimeVersionChange,
} from './check-lock.js';
export { checkLockBeforeProbes } from './check-before-probes.js';
export { signingKeyFromEnv, toLockError } from './signing.js';
export { lockHostPart, lockPortablePart, portableLockDigest, type LockHostPart } from './lock-parts.js';
export {
  checkLockFileBeforeProbes,
  enforceLockFile,
  lockPlan,
  type BeforeProbesOptions,
  type EnforceLockOptions,
  type LockPlanOptions,
  type LockResult,
} from './lock-plan.js';
