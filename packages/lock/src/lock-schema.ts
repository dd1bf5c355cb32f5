/**
 * The `agentlang.lock/v2` document (the one written). Field names are snake_case because this is a
 * file format (seed 000 shows `auth_source`, `system_prompt_sha256`). Key order on disk is the order
 * of the fields below (see serialize-lock.ts); maps are written with keys sorted by UTF-16 code unit.
 */
export const LOCK_SCHEMA = 'agentlang.lock/v2';

/** The first lock format: still read, verified and checked (its own way), never written. */
export const LOCK_SCHEMA_V1 = 'agentlang.lock/v1';

/** Every lock schema this package reads. */
export type LockSchema = typeof LOCK_SCHEMA | typeof LOCK_SCHEMA_V1;

/** Media type of a lock inside a DSSE envelope; a signature for any other type never verifies as a lock. */
export const LOCK_PAYLOAD_TYPE = 'application/vnd.agentlang.lock.v1+json';

/**
 * A parsed lockfile. Its fields fall in two parts (see `packages/lock/README.md`): the portable
 * part — manifest digest, `files` (by role), tools, `system_prompts` (per target), models,
 * sub-agents, MCP servers — is what drift is checked on, wherever the agent runs; the host part —
 * `runtime` (and `runtime_version`), `model`, `auth_source`, `host` and `system_prompt_sha256` (the digest for this
 * runtime's target) — records where the lock was made and is resolved again where the agent runs.
 */
export interface Lockfile {
  schema: LockSchema;
  manifest: LockedManifest;
  resolved: LockedResolution;
  /**
   * Every source file of the agent → `sha256:<hex>`. v2 keys are roles (`manifest`, `prompt`, `ux`,
   * `agent:<name>`, `skill:<name>`, `file:<path from the manifest's directory>`); v1 keys were paths.
   */
  files: Record<string, string>;
}

/** Which agent was locked. */
export interface LockedManifest {
  /** `ag1:<64 hex>` content digest of the normalised manifest. */
  hash: string;
  /** The manifest file relative to the lock file's directory (`demo.agent`, `agent.yaml`). */
  path: string;
  name: string;
  /** The agent's version, or null when the manifest has none. */
  version: string | null;
}

/** What resolution decided. */
export interface LockedResolution {
  runtime: string;
  /**
   * v2 only, present when `runtime` is built into AgentLang (`harness`): its version
   * (`@agentlang/harness`'s). Host part: never a drift; `runtimeVersionChange` reports a different one.
   */
  runtime_version?: string;
  model: string | null;
  /** Where credentials come from (`local socket`, `env:ANTHROPIC_API_KEY`); never a secret value. Not compared for drift. */
  auth_source: string;
  /** Catalog tools pinned to exact versions, sorted by name. */
  tools: LockedTool[];
  /** `sha256:<hex>` of the system prompt compiled for `runtime`'s target (never the text), or null without a prompt. Host part. */
  system_prompt_sha256: string | null;
  /** Host the lock was made on, for the record. Not compared for drift. */
  host: { os: string; arch: string };
  /**
   * v2 only: `sha256:<hex>` of the compiled system prompt per PromptLang target (`markdown`, `xml`)
   * it compiles to, so the prompt is checked under whichever runtime runs the agent. `{}` without a prompt.
   */
  system_prompts?: Partial<Record<'markdown' | 'xml', string>>;
  /** Capabilities of every declared model, keyed by model id. */
  models: Record<string, LockedModel>;
  /** Delegated sub-agents (recursively), sorted by path, then parent. */
  agents: LockedAgent[];
  /** MCP servers probed at lock time, sorted by name, with a digest of every tool's schema. */
  mcp_servers: LockedMcpServer[];
}

/** A catalog tool pinned to one version. */
export interface LockedTool {
  name: string;
  /** Exact version chosen. */
  version: string;
  /** The constraint as written (`^1.2.0`), or `*`. */
  constraint: string;
  /**
   * `builtin`, `catalog:<dir>` (v2: relative to the lock's directory, `/`-separated) or
   * `registry:<url>`. Where it was found, for people: drift compares version and integrity only.
   */
  source: string;
  /** `sha256:<hex>` of the tool definition's canonical JSON. */
  integrity: string;
}

/** Model capabilities as resolved; absent fields were unknown. */
export interface LockedModel {
  provider?: string;
  context_window?: number;
  supports_tools?: boolean;
  supports_vision?: boolean;
  /** False when no catalog knew the model. */
  known: boolean;
}

/** A sub-agent and its content digest. */
export interface LockedAgent {
  name: string;
  /** Path relative to the root agent's directory. */
  path: string;
  version: string | null;
  /** `ag1:<64 hex>` digest of the sub-agent. */
  hash: string;
  /** 1 for a direct sub-agent. */
  depth: number;
  /** Name of the delegating agent. */
  parent: string;
  permission: 'always' | 'session' | 'always_ask' | null;
}

/** An MCP server with what its probe returned. */
export interface LockedMcpServer {
  name: string;
  command: string;
  args: string[];
  /** Names of environment variables passed to the server (values never recorded), sorted. */
  env_keys: string[];
  server: { name: string; version: string };
  protocol_version: string;
  client_capabilities: Record<string, unknown>;
  /** Tools in use, sorted by name, each with `sha256:<hex>` of its definition. */
  tools: Array<{ name: string; schema_digest: string }>;
}
