export type { IsolationPolicy } from './policy.js';
export { IsolationError, IsolationErrorCode } from './errors.js';
export type {
  BackendName,
  IsolationBackend,
  PreparedSandbox,
  RunSandboxedOptions,
  SandboxCommand,
  SandboxResult,
} from './types.js';
export {
  CAPABILITY_MAPPING,
  DEFAULT_TIMEOUT_MS,
  policyFromPermissions,
  policyFromTrust,
} from './mapping.js';
export type { PermissionsInput, PolicyContext, TrustInput } from './mapping.js';
export { BWRAP_MISSING_MESSAGE, selectBackend } from './select-backend.js';
export type { SelectBackendOptions } from './select-backend.js';
export { createBwrapBackend, PROC_READ_ONLY } from './bwrap-backend.js';
export {
  DEFAULT_MAX_PROCESSES,
  DEFAULT_MEMORY_BYTES,
  parseMemorySize,
  sandboxHostIdentity,
  sandboxSettingsFromEnv,
} from './host-settings.js';
export type { SandboxSettings } from './host-settings.js';
export type { BwrapBackendOptions } from './bwrap-backend.js';
export { createNoetherBackend } from './noether-backend.js';
export type { NoetherBackendOptions } from './noether-backend.js';
export { createNoneBackend } from './none-backend.js';
export { runSandboxed, spawnPrepared } from './run-sandboxed.js';
export { buildEnvironment, SANDBOX_PATH } from './sandbox-env.js';
export { buildSeccompFilter } from './seccomp/filter.js';
export type { SeccompFilterOptions } from './seccomp/filter.js';
export { encodeBpf } from './seccomp/bpf.js';
export type { BpfInstruction } from './seccomp/bpf.js';
export { startEgressProxy, EGRESS_SOCKET_NAME } from './egress-proxy.js';
export type { EgressProxy, EgressProxyOptions } from './egress-proxy.js';
export { checkHostPattern, hostAllowed, isPrivateAddress, parseEgressResolve } from './egress-hosts.js';
export { egressAllowlist } from './egress-policy.js';
export { EGRESS_PROXY_URL } from './egress-bridge.js';
export { describeSandbox, formatSandboxLines } from './describe-sandbox.js';
export type { SandboxSummary } from './describe-sandbox.js';
