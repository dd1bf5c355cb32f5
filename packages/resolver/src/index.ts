export type {
  ModelCapabilities,
  PlanFile,
  ResolvedDependency,
  ResolvedMcpServer,
  ResolvedPermissions,
  ResolvedPlan,
  ResolvedRuntime,
  ResolvedSubAgent,
  ResolvedTool,
} from './plan.js';
export { ResolveError, ResolveErrorCode } from './errors.js';
export { resolvePlan, hostInfo, type ResolveOptions } from './resolve.js';
export { formatPlanText } from './format.js';
export { compileSystemPrompt, promptTargetFor } from './system-prompt.js';
export type { ToolDefinition, ToolSource } from './tool-definition.js';
export { BUILTIN_TOOLS, createBuiltinToolSource } from './builtin-tools.js';
export { createLocalCatalogSource } from './local-catalog.js';
export { resolveTool, type ToolResolution } from './tools.js';
export {
  BUILTIN_MODELS,
  CAPABILITY_TIERS,
  LOCAL_PROVIDERS,
  PROVIDER_PREFIXES,
  inferProvider,
  loadModelCatalog,
  lookupModel,
  stripProviderPrefix,
  type ModelEntry,
} from './models.js';
export {
  RUNTIMES,
  RUNTIME_ALIASES,
  PROVIDER_KEY_ENV,
  PROVIDER_BASE_URL_ENV,
  isLocalBaseUrl,
  detectAuth,
  findRuntime,
  type RuntimeInfo,
} from './runtimes.js';
export { HOST_RUNTIME_ENV, selectRuntime, type RuntimeSelection } from './select-runtime.js';
export {
  HOST_PROFILES,
  DEFAULT_HOST_PROFILE,
  getHostProfile,
  loadHostProfile,
  type HostProfile,
} from './host-profiles.js';
export { checkPermissions } from './permissions.js';
export { MCP_CLIENT_CAPABILITIES, assertNoArgvTemplates, probeMcpServer, type ProbeMcpOptions } from './mcp.js';
export {
  agentEnvironment,
  assertEnvConsent,
  envConsentRequired,
  redact,
  renderEnvTemplate,
  templateVariables,
  type EnvironmentRead,
} from './env-template.js';
export {
  probeAgentOf,
  type ProbeAgent,
  type ProbeExecutor,
  type ProbeExit,
  type ProbeProcess,
  type ProbeRequest,
} from './probe-executor.js';
export {
  checkDependencies,
  installHintFor,
  type CheckDependenciesOptions,
  type DependencyOutcome,
} from './dependencies.js';
export { DEFAULT_MAX_DEPTH, resolveSubAgents, subAgentFiles, type SubAgentLoader } from './delegation.js';
export { canonicalJson, digestJson, sha256 } from './canonical.js';
