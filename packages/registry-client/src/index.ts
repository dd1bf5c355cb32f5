export { RegistryClientError, RegistryClientErrorCode, isRegistryClientError } from './errors.js';
export type { AgentReference, OciReference, OciRegistryBase } from './reference.js';
export {
  isLoopbackHost,
  isOciReference,
  ociReferenceFor,
  parseAgentReference,
  parseOciRegistry,
  parseOciReference,
} from './reference.js';
export type { RetryOptions } from './http.js';
export type { TransferProgress } from './progress.js';
export { progressLogger } from './progress.js';
export type { PushableArtifact } from './artifact.js';
export { hashFile, readPushable } from './artifact.js';
export type { ArtifactExpectation, VerifiedArtifact } from './verify.js';
export { verifyArtifactFile } from './verify.js';
export type { PullOptions, PullResult, PushResult, RegistryClientOptions, RegistryEntry } from './client.js';
export { DEFAULT_MAX_PULL_BYTES, RegistryClient } from './client.js';
export type { OciAgentManifest, OciOptions, OciPullResult, OciPushResult } from './oci.js';
export {
  OCI_ANNOTATIONS,
  OCI_ARTIFACT_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPES,
  OCI_MANIFEST_MEDIA_TYPE,
  ociCredentialsFromEnv,
  pullOci,
  pushOci,
} from './oci.js';
export type { PublishOptions, PublishResult } from './publish.js';
export { publishAgent } from './publish.js';
export type { RegistryToolDefinition } from './client.js';
export type { RegistryToolSource } from './tool-source.js';
export { createRegistryToolSource } from './tool-source.js';
export type { RegistryBaseResolverOptions } from './base-resolver.js';
export { createRegistryBaseResolver } from './base-resolver.js';
