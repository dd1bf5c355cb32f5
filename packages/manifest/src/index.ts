export type {
  AgentManifest,
  AgentSpecExtras,
  BehaviorSpec,
  RuntimeSettings,
  BashToolSpec,
  Capability,
  CapabilityCategory,
  CapabilitySettings,
  ContextSpec,
  DelegateAgentRef,
  DelegateSpec,
  DelegationPermission,
  DependencySpec,
  ExecTrust,
  FilesystemTrust,
  HttpParamSpec,
  HttpToolSpec,
  ManifestDialect,
  McpServerSpec,
  ModelSpec,
  NetworkTrust,
  PermissionMode,
  PermissionsSpec,
  RiskLevel,
  SkillSpec,
  SourceFile,
  ToolSpec,
  ToolUiRule,
  TrustSpec,
  UiComponentSpec,
  UxSpec,
} from './types.js';
export type { Diagnostic } from './diagnostic.js';
export { formatDiagnostic, formatPosition } from './diagnostic.js';
export { isPublishableName } from './publishable-name.js';
export type { ManifestErrorDetails } from './errors.js';
export { ManifestError, ManifestErrorCode, isManifestError } from './errors.js';
export { canonicalJson } from './canonical-json.js';
export { sha256Hex, sha256Tagged } from './hash.js';
export { computeDigest, DIGEST_PREFIX } from './digest.js';
export type { InputKind } from './sniff.js';
export { sniffBytes, sniffInput } from './sniff.js';
export { CAPABILITIES, CAPABILITY_CATEGORIES } from './capabilities.js';
export type { SchemaKind } from './schemas.js';
export { getSchema, SCHEMA_KINDS } from './schemas.js';
export type { LoadedAgent, LoadFromFilesOptions, LoadOptions, SafeLoadResult, SourcePosition } from './load-types.js';
export { loadAgent, loadAgentFromFiles, loadSubAgent, safeLoadAgent } from './load.js';
export { SCAFFOLD_DIALECTS, type ScaffoldDialect, scaffoldAgent } from './scaffold.js';
export type { SkillMapping } from './agentspec.js';
export {
  AGENTSPEC_MCP_SERVERS,
  AGENTSPEC_SKILLS,
  AGENTSPEC_TRAITS,
  agentSpecPromptDocument,
  traitSentence,
} from './agentspec.js';
