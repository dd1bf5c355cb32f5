import type { Capability, ManifestDialect, SourceFile, TrustSpec } from '@agentlang/manifest';
import type { EnvironmentRead } from './env-template.js';

/**
 * What the resolver decided for one agent on one host. Plain JSON (no class instances, no
 * functions) so it can be printed with `--json`, pinned by @agentlang/lock and rebuilt from a
 * lock by the runner. Never contains secret values or prompt text.
 */
export interface ResolvedPlan {
  schema: 'agentlang.plan/v1';
  agent: {
    name: string;
    version?: string;
    /** `ag1:<64 hex>` content digest from @agentlang/manifest. */
    digest: string;
    dialect: ManifestDialect;
  };
  /** The runtime that will execute the agent. */
  runtime: ResolvedRuntime;
  /** The model chosen for the run (`test-echo/demo`, `claude-sonnet-4`), or null when none applies. */
  model: string | null;
  /** Where credentials come from: `local socket`, `env:ANTHROPIC_API_KEY`, `subscription:claude`. */
  authSource: string;
  tools: ResolvedTool[];
  /** Capabilities of every declared model, keyed by model id. */
  models: Record<string, ModelCapabilities>;
  mcpServers: ResolvedMcpServer[];
  dependencies: ResolvedDependency[];
  permissions: ResolvedPermissions;
  subAgents: ResolvedSubAgent[];
  /** sha256 of the compiled system prompt (`sha256:<hex>`), never the text; null without a prompt. */
  systemPromptSha256: string | null;
  /** The PromptLang target the prompt was compiled to for this runtime (`compileSystemPrompt(agent, promptTarget)`). */
  promptTarget?: 'markdown' | 'xml';
  /**
   * `sha256:<hex>` of the compiled system prompt for every target it compiles to (`markdown`, `xml`),
   * whatever the runtime: a lock pins all of them, so the agent can be checked under any runtime.
   * Empty without a prompt; a target the prompt does not compile to is absent.
   */
  systemPromptDigests?: Partial<Record<'markdown' | 'xml', string>>;
  /** Every source file of the agent with its digest and its role, sorted by path. */
  files: PlanFile[];
  /** Every host environment variable the agent reads (`{{.env.X}}` templates, the runtime credential), by name only (always set by `resolvePlan`; absent in plans built by hand). */
  environment?: EnvironmentRead[];
  /** AgentSpec trust (drives isolation); absent for AgentLang agents (permissions drive it). */
  trust?: TrustSpec;
  host: { os: string; arch: string };
  /** Problems that do not stop a run (unknown model, degraded optional capability, …). */
  warnings: string[];
  /** Things that would stop a run (missing runtime binary, missing dependency). */
  missing: string[];
  /** Why each choice was made, for `--verbose`. */
  decisions: string[];
}

/**
 * A source file of the agent. `role` names it by what it is, not by the name the caller gave it,
 * so a lock made for `demo.agent` holds for the same manifest pulled as `demo@0.1.0.agent`:
 * `manifest` (the entry file), `prompt`, `ux`, `agent:<name>` (a sub-agent), `skill:<name>`,
 * `file:<path relative to the manifest's directory>` (anything else it references, e.g. a `base:`).
 */
export interface PlanFile extends SourceFile {
  /** Absent only in plans made by hand (a lock then keys the file by its path). */
  role?: string;
}

/** The chosen runtime and whether its binary is present. */
export interface ResolvedRuntime {
  /** Adapter name: test-echo, claude-code, codex, gemini-cli, ollama, opencode, goose, aider. */
  name: string;
  /** Executable looked up on PATH (`echo` for test-echo, `claude` for claude-code, …). */
  binary: string;
  /** Absolute path when found. */
  path?: string;
  available: boolean;
  /**
   * The version of a runtime built into AgentLang (the `harness` runtime: @agentlang/harness's
   * version), pinned by the lock as `runtime_version`. Absent for an external CLI.
   */
  version?: string;
}

/** A catalog tool pinned to one version. */
export interface ResolvedTool {
  name: string;
  /** The constraint as written, or `*` when none. */
  constraint: string;
  /** Exact version chosen (highest satisfying). */
  version: string;
  /** `builtin`, `catalog:<dir>` or `registry:<url>`. */
  source: string;
  /** `sha256:<hex>` of the RFC 8785 canonical JSON of the tool definition. */
  integrity: string;
  /** The manifest's declared `input_schema`: the agent's contract for the tool's input, for a runtime to enforce (pinned by the manifest digest). */
  inputSchema?: Record<string, unknown>;
  /** The manifest's declared `output_schema`, likewise. */
  outputSchema?: Record<string, unknown>;
}

/** What the resolver knows about a model. */
export interface ModelCapabilities {
  provider?: string;
  contextWindow?: number;
  supportsTools?: boolean;
  supportsVision?: boolean;
  /**
   * USD per million tokens (`inputPerMTok` uncached input, `outputPerMTok` output): the built-in
   * catalog's provider list prices, or the host's own from its catalog. Feeds the harness cost budget
   * (`AGENTLANG_HARNESS_MAX_COST_USD`) and `cost_usd`; a host fact, never locked.
   */
  price?: { inputPerMTok: number; outputPerMTok: number };
  /** False when the model is not in any catalog (a warning, or an error under strict). */
  known: boolean;
}

/** An MCP server probed over stdio. */
export interface ResolvedMcpServer {
  name: string;
  command: string;
  args: string[];
  /** Names of environment variables passed (values never recorded). */
  envKeys: string[];
  server: { name: string; version: string };
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  /** Whitelisted (or all) tools with a digest of each tool's definition (name, description, schemas). */
  tools: Array<{ name: string; schemaDigest: string }>;
}

/** A bash tool dependency and the outcome of its `check` command. */
export interface ResolvedDependency {
  name: string;
  /** True when the check ran and succeeded. */
  present: boolean;
  /** False when the check was not run (no probe executor: resolving without one runs nothing). */
  checked: boolean;
  /** Install command for this OS from the manifest, when missing. */
  install?: string;
}

/** Capabilities checked against a host profile. */
export interface ResolvedPermissions {
  /** Host profile name (`raw-os`, `claude-desktop`, …) or the custom file path. */
  host: string;
  required: Capability[];
  optional: Capability[];
  granted: Capability[];
  /** Optional capabilities the host lacks: the agent runs degraded. */
  degraded: Capability[];
}

/** A delegated sub-agent, resolved recursively. */
export interface ResolvedSubAgent {
  name: string;
  /** Path relative to the parent agent's root. */
  path: string;
  digest: string;
  version?: string;
  /** 1 for a direct sub-agent. */
  depth: number;
  /** Name of the agent that delegates to this one. */
  parent: string;
  permission?: 'always' | 'session' | 'always_ask';
}
