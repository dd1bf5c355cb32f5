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
}
