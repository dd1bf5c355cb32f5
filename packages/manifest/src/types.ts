/**
 * The normalised agent model. Both input dialects (AgentLang `agent.yaml` and AgentSpec
 * `apiVersion: agent/v1`) load into this one shape; everything downstream (resolver, lock,
 * container, runner) reads only this. Field names are camelCase; the YAML spelling is noted
 * where it differs. Optional sections are absent (not empty) when the source omits them,
 * except the collections, which are always present (possibly empty) to spare callers checks.
 */

/** Which input format an agent was written in. */
export type ManifestDialect = 'agentlang' | 'agentspec';

/** A model entry (`models.<id>` in AgentLang; `model.preferred[]` in AgentSpec). */
export interface ModelSpec {
  /** Model id as written, e.g. `claude-sonnet-4` or `test-echo/demo`. */
  id: string;
  provider?: string;
  options?: Record<string, unknown>;
}

/** A catalog tool reference (`tools[]`). */
export interface ToolSpec {
  name: string;
  /** Semver range as written (`^1.2.0`); absent means latest available. */
  version?: string;
  config?: Record<string, unknown>;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** AgentLang extension: how a call is confirmed (`always` without asking, `session` once per run, `always_ask` every call); absent = `always`. */
  approval?: DelegationPermission;
}

/** `mcp_servers.<name>`. */
export interface McpServerSpec {
  name: string;
  command: string;
  args: string[];
  /** Values may hold templates like `{{.env.STRIPE_SECRET_KEY}}`; rendered only at resolve/run. */
  env: Record<string, string>;
  /** Whitelist of tool names; absent means every tool the server offers. */
  tools?: string[];
}

/** One parameter of an HTTP tool (`http_tools.<name>.params.<param>`). */
export interface HttpParamSpec {
  type: string;
  description?: string;
  required?: boolean;
  default?: unknown;
}

/** A UI rendering rule for one execution status of an HTTP tool (`ui_component.<status>`). */
export interface ToolUiRule {
  component: string;
  props?: Record<string, string>;
  actions?: {
    syncActions?: Record<string, { tool: string; params?: Record<string, unknown> }>;
    agentActions?: string[];
  };
}

/** `http_tools.<name>`. */
export interface HttpToolSpec {
  name: string;
  description?: string;
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  auth?: string;
  /** Extra boolean/string flags such as `twitter_token: true`, kept verbatim. */
  flags: Record<string, unknown>;
  params: Record<string, HttpParamSpec>;
  bodyTemplate?: string;
  /** Keyed by status: `completed`, `failed`, … */
  uiComponent?: Record<string, ToolUiRule>;
  /** AgentLang extension: how a call is confirmed (`always` without asking, `session` once per run, `always_ask` every call); absent = `always`. */
  approval?: DelegationPermission;
}

/** `bash_tools.<name>`. */
export interface BashToolSpec {
  name: string;
  description?: string;
  command: string;
  helpCommand?: string;
  labels?: { running?: string; finished?: string };
  /** AgentLang extension: how a call is confirmed (`always` without asking, `session` once per run, `always_ask` every call); absent = `always`. */
  approval?: DelegationPermission;
}

/** `dependencies[]`: a host binary a bash tool needs. */
export interface DependencySpec {
  name: string;
  /** Shell command whose success means the dependency is present. */
  check: string;
  /** Install command per OS (`darwin`, `linux`, `win32`, …). */
  install: Record<string, string>;
}

/** Capability names from the spec's category table. */
export type Capability =
  | 'network'
  | 'websocket'
  | 'p2p'
  | 'storage'
  | 'filesystem'
  | 'keychain'
  | 'microphone'
  | 'camera'
  | 'screen_capture'
  | 'location'
  | 'background'
  | 'notifications'
  | 'clipboard'
  | 'shell'
  | 'oauth'
  | 'wallet'
  | 'signing';

export type CapabilityCategory = 'network' | 'storage' | 'sensors' | 'system' | 'identity';
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';
export type PermissionMode = 'user_triggered' | 'on_demand' | 'continuous' | 'scheduled';

/** Per-capability settings (`permissions.<capability>`). */
export interface CapabilitySettings {
  mode?: PermissionMode;
  reason?: string;
  /** Cron expression. */
  schedule?: string;
  wakeTriggers?: Array<{ schedule: string }>;
  /** Seconds per wake. */
  maxRuntime?: number;
  channels?: string[];
}

/** `permissions`. */
export interface PermissionsSpec {
  required: Capability[];
  optional: Capability[];
  settings: Partial<Record<Capability, CapabilitySettings>>;
}

/** `context`. */
export interface ContextSpec {
  window?: { maxTokens?: number; strategy?: 'sliding' | 'summarize' | 'truncate' };
  compaction?: {
    strategy?: 'summarize' | 'drop_oldest' | 'checkpoint';
    trigger?: number;
    preserve?: string[];
  };
  /** Injected template sources: `time`, `location`, `user_profile`, … */
  inject: string[];
}

export type DelegationPermission = 'always' | 'session' | 'always_ask';

/** One sub-agent reference under `delegate.agents` (a bare path string normalises to `{ path }`). */
export interface DelegateAgentRef {
  path: string;
  task?: string;
  dependsOn?: string[];
}

/**
 * `delegate` (static crews) merged with a `delegate` tool's `config` (dynamic mode): one shape.
 */
export interface DelegateSpec {
  mode: 'static' | 'dynamic';
  process?: 'sequential' | 'parallel' | 'hierarchical';
  agents: DelegateAgentRef[];
  discovery?: 'directory';
  maxDepth?: number;
  permissions: Record<string, DelegationPermission>;
}

/** `ui_components.<name>`. An action with `tool` is a sync action; without, an agent action. */
export interface UiComponentSpec {
  name: string;
  actions: Record<string, { tool?: string; params?: Record<string, unknown> }>;
}

/** A skill from `skills/<name>/SKILL.md`, referenced by `skills[].name`. */
export interface SkillSpec {
  name: string;
  description?: string;
  allowedTools: string[];
  /** Path of SKILL.md relative to the agent root; absent when the file was not found. */
  file?: string;
  /** AgentSpec: an abstract skill name (`web-search`) with no SKILL.md, mapped to concrete tools. */
  abstract?: boolean;
  /** AgentSpec abstract skills: the concrete tools it maps to (`web_search`, `native:bash`, `mcp:github`); empty for a built-in LLM ability (`summarize`) or an unknown name. */
  tools?: string[];
}

/** AgentSpec `behavior`, without the sampling settings (those are {@link RuntimeSettings}). */
export interface BehaviorSpec {
  persona?: string;
  /** Trait names (`cite-everything`) or sentences, in order; expanded into sentences in the system prompt. */
  traits?: string[];
  /** `behavior.system_override`: replaces the persona and traits in the system prompt. */
  systemOverride?: string;
}

/** Settings handed to the runtime, never written into the prompt (AgentSpec `behavior.temperature`, …). */
export interface RuntimeSettings {
  temperature?: number;
  maxSteps?: number;
  onError?: 'ask' | 'retry' | 'fail' | 'skip';
}

/** AgentSpec keys AgentLang keeps verbatim (digested) but does not act on itself. */
export interface AgentSpecExtras {
  author?: string;
  license?: string;
  tags?: string[];
  auth?: Record<string, unknown>;
  memory?: Record<string, unknown>;
  expose?: unknown[];
  agents?: Record<string, unknown>;
  pipeline?: unknown[];
  extensions?: Record<string, unknown>;
}

/** `ux.yaml`. */
export interface UxSpec {
  integrations: Array<{ name: string; website?: string }>;
  suggestions: string[];
  tools: Record<string, { labels?: { running?: string; finished?: string }; suggestions?: string[] }>;
  mcpTools: Record<string, Record<string, { labels?: { running?: string; finished?: string } }>>;
}

export type FilesystemTrust = 'none' | 'read-only' | 'scoped' | 'full';
export type NetworkTrust = 'none' | 'scoped' | 'allowed';
export type ExecTrust = 'none' | 'sandboxed' | 'full';

/** AgentSpec `trust` (after `base:` inheritance, narrowed). */
export interface TrustSpec {
  filesystem: FilesystemTrust;
  network: NetworkTrust;
  exec: ExecTrust;
  /** Paths (relative to the agent root, or absolute) granted under `filesystem: scoped`. */
  scope: string[];
  /** Hosts reachable under `network: scoped` (`api.example.com`, `*.example.com`); absent when not written. */
  hosts?: string[];
}

/** One file the agent is made of, with its digest. */
export interface SourceFile {
  /** Path relative to the agent root, `/`-separated. */
  path: string;
  /** `sha256:<64 hex>` of the raw bytes. */
  sha256: string;
}

/** The normalised agent. */
export interface AgentManifest {
  dialect: ManifestDialect;
  name: string;
  /** Absent only for partial sub-agent manifests. */
  version?: string;
  title?: string;
  subtitle?: string;
  description?: string;
  developer?: string;
  category?: string;

  /** Declared models in source order. AgentSpec `model.preferred` lands here too. */
  models: ModelSpec[];
  /**
   * AgentSpec `model.capability` and `model.fallback`: capability tiers (`reasoning-low|mid|high|max`)
   * the resolver maps to default models — `fallback` when no preferred model can run here, `capability`
   * when none is preferred at all.
   */
  modelTiers?: { capability?: string; fallback?: string };
  /** AgentSpec `runtime`. */
  runtime?: string;
  /** AgentSpec `behavior`: persona, traits, system_override. */
  behavior?: BehaviorSpec;
  /** AgentSpec `behavior.temperature`, `max_steps`, `on_error`: for the runtime, not the prompt. */
  runtimeSettings?: RuntimeSettings;
  /** AgentSpec: a directory agent's SOUL.md, or inline `soul:` (identity; first in the system prompt). */
  soul?: string;
  /** AgentSpec: a directory agent's RULES.md, or inline `rules:` (hard constraints; last in the system prompt). */
  rules?: string;
  /** AgentSpec `tools.native` and the native tools abstract skills map to: tools the runtime provides itself. */
  nativeTools?: string[];
  /** AgentSpec keys kept verbatim (author, license, tags, auth, memory, expose, agents, pipeline, extensions). */
  agentspec?: AgentSpecExtras;
  /** AgentSpec `trust`. */
  trust?: TrustSpec;
  /** AgentSpec `observability`, kept verbatim. */
  observability?: Record<string, unknown>;

  tools: ToolSpec[];
  mcpServers: McpServerSpec[];
  httpTools: HttpToolSpec[];
  bashTools: BashToolSpec[];
  dependencies: DependencySpec[];
  permissions?: PermissionsSpec;
  context?: ContextSpec;
  delegate?: DelegateSpec;
  uiComponents: UiComponentSpec[];
  skills: SkillSpec[];
  ux?: UxSpec;
}
