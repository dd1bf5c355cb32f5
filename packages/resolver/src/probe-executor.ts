import type { Readable, Writable } from 'node:stream';
import type { PermissionsSpec, TrustSpec } from '@agentlang/manifest';

/**
 * The agent a probe belongs to: what an executor needs to derive the agent's sandbox policy
 * (AgentSpec `trust`, else AgentLang `permissions`) and to find its files.
 */
export interface ProbeAgent {
  name: string;
  /** Absolute host directory of the agent, when it has one on disk (absent for a container or an in-memory agent). */
  root?: string;
  trust?: TrustSpec;
  permissions?: Pick<PermissionsSpec, 'required' | 'optional'>;
}

/** One agent-supplied command the resolver needs run: a bash-tool dependency check or an MCP server. */
export interface ProbeRequest {
  kind: 'dependency-check' | 'mcp-server';
  /** For messages: `dependency trivy`, `MCP server everything`. */
  label: string;
  /** Program and arguments, as the manifest wrote them (templates already rendered; never a secret, see `secrets`). */
  argv: string[];
  /** Non-secret environment values for the command (nothing else of the caller's environment is passed). */
  env: Record<string, string>;
  /** Values rendered from `{{.env.X}}` templates, by variable name: delivered the way the sandbox delivers secrets, never on a command line. */
  secrets: Record<string, string>;
  agent: ProbeAgent;
  /** Wall-clock budget; the executor kills the process tree once it passes (the resolver stops it earlier when it is done). */
  timeoutMs: number;
  /** `pipe`: stdin/stdout/stderr are streams (an MCP server over stdio); `ignore`: only the exit status counts (a check). */
  stdio: 'pipe' | 'ignore';
}

/** How a probe process ended. */
export interface ProbeExit {
  exitCode: number | null;
  signal: string | null;
}

/** A started probe. */
export interface ProbeProcess {
  /** Host pid of what was spawned (the sandbox launcher), for diagnostics. */
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Settles once the process has exited. */
  readonly exited: Promise<ProbeExit>;
  /** Stops the process and everything it started, and releases what the executor set up; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Runs agent-supplied commands for the resolver. The resolver never spawns anything itself: a
 * caller that wants dependency checks run and MCP servers probed passes an executor (the runner's
 * `createSandboxProbeExecutor` runs them inside the agent's sandbox); without one, resolving is
 * pure inspection. `start` rejects with an error whose `code` is `ENOENT` when the program does not exist.
 */
export interface ProbeExecutor {
  /** Shown in decisions (`bwrap`, `none`). */
  readonly name: string;
  start(request: ProbeRequest): Promise<ProbeProcess>;
}

/** The {@link ProbeAgent} of a loaded agent. */
export function probeAgentOf(agent: {
  manifest: { name: string; trust?: TrustSpec; permissions?: Pick<PermissionsSpec, 'required' | 'optional'> };
  source: { kind: string; root: string };
}): ProbeAgent {
  const m = agent.manifest;
  return {
    name: m.name,
    ...(agent.source.kind === 'directory' || agent.source.kind === 'file' ? { root: agent.source.root } : {}),
    ...(m.trust ? { trust: m.trust } : {}),
    ...(m.permissions
      ? { permissions: { required: [...m.permissions.required], optional: [...m.permissions.optional] } }
      : {}),
  };
}
