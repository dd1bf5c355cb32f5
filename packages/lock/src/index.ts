export { LockError, LockErrorCode } from './errors.js';
export {
  generateSigningKeyPair,
  keyIdFor,
  publicKeyFor,
  type SigningKeyPair,
} from './ed25519.js';
export {
  MAX_SIGNATURES,
  parseEnvelope,
  preAuthEncoding,
  serializeEnvelope,
  signEnvelope,
  verifyEnvelope,
  verifyEnvelopeDetailed,
  type Envelope,
  type EnvelopeSignature,
  type VerifiedEnvelope,
  type VerifyEnvelopeOptions,
} from './envelope.js';
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
export { assertLockMatches, checkLock, driftError, type LockDrift, type LockDriftKind } from './check-lock.js';
export { checkLockBeforeProbes } from './check-before-probes.js';
export { signingKeyFromEnv } from './signing-key-env.js';
export { lockHostPart, lockPortablePart, portableLockDigest, type LockHostPart } from './lock-parts.js';
export {
  enforceLockFile,
  lockAgent,
  lockPlan,
  type EnforceLockOptions,
  type LockAgentOptions,
  type LockAgentResult,
  type LockPlanOptions,
  type LockResult,
} from './lock-agent.js';
