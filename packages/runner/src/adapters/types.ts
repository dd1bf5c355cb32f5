import type { AgentManifest } from '@agentlang/manifest';
import type { ResolvedPlan } from '@agentlang/resolver';

/** What an adapter needs to build one invocation. */
export interface InvocationInput {
  plan: ResolvedPlan;
  /** The compiled system prompt text (never recorded), or null when the agent has none. */
  systemPrompt: string | null;
  /** The user's prompt from `--prompt` / `--input`. */
  userPrompt?: string;
  /** Working directory of the agent (same path inside and outside the sandbox). */
  workdir: string;
  /** Directory (inside the sandbox) where the adapter's config files are placed. */
  configDir: string;
  /** The parent environment, read for API keys and MCP `{{.env.X}}` values; never copied wholesale. */
  env: Record<string, string | undefined>;
  /** The normalised manifest, when at hand: MCP server env templates are rendered from it. */
  manifest?: AgentManifest;
  /**
   * Whether the agent itself may run shell commands (AgentSpec `exec` other than `none`, or the
   * AgentLang `shell` permission). When false, the adapter turns the runtime's own shell tool off in
   * its configuration: the sandbox may still allow processes, for the runtime's MCP servers and the
   * egress bridge. Undefined means true.
   */
  agentShell?: boolean;
}

/**
 * What the runtime itself needs inside the sandbox, apart from the agent's grants: the hosts of its
 * model endpoint (reached through the host-side egress proxy) and whether it starts processes of its
 * own (MCP servers, helpers).
 */
export interface RuntimeNeeds {
  /** Host names of the provider endpoint (`api.anthropic.com`, or the host of `ANTHROPIC_BASE_URL`). */
  hosts: string[];
  /** True when the runtime starts processes (MCP servers over stdio, its own helpers). */
  processes: boolean;
  /** Things the user should know (an endpoint the sandbox cannot reach, …). */
  notes: string[];
}

/** A config file the runtime's CLI reads, written into the sandbox before it starts. */
export interface InvocationFile {
  /** Absolute path inside the sandbox (under `configDir`). */
  path: string;
  content: string;
  /** File mode; 0o600 by default. */
  mode?: number;
}

/** Exactly what to start: argv, plain environment, secrets (by name) and config files. */
export interface Invocation {
  argv: string[];
  /** Non-secret environment set inside the sandbox. */
  env: Record<string, string>;
  /** API keys and MCP credentials by variable name; delivered by isolation, never on argv. */
  secrets: Record<string, string>;
  files: InvocationFile[];
  /** Bytes written to the runtime's stdin, then closed (keeps prompt text off argv); stdin is empty otherwise. */
  stdin?: string;
}

/**
 * One runtime (an agent loop) behind one interface: test-echo, claude-code, codex, gemini-cli,
 * ollama, opencode today; a built-in harness is one more adapter.
 */
export interface RuntimeAdapter {
  /** Runtime name as a manifest or `--runtime` writes it. */
  name: string;
  /** Executable looked up on PATH. */
  binary: string;
  /** One line for `--help` and the README. */
  description: string;
  /** Environment variables that carry credentials for this runtime, passed as secrets when set. */
  secretEnv: string[];
  /** Arguments that print the runtime's version (`['--version']`), or null when it has none. */
  versionArgs: string[] | null;
  /** Builds the invocation for one run. */
  buildInvocation(input: InvocationInput): Invocation;
  /** The runtime's own sandbox needs (endpoint hosts, processes); absent means none (test-echo). */
  needs?(input: { plan: ResolvedPlan; env: Record<string, string | undefined> }): RuntimeNeeds;
}
